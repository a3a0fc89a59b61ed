package dev.operator.sks.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Reads certificate fields with the JDK only, so tests do not check BouncyCastle with itself. */
final class CertificateInspection {

    private CertificateInspection() {}

    static List<String> dnsNames(X509Certificate certificate) {
        return sans(certificate, 2);
    }

    static List<String> ipAddresses(X509Certificate certificate) {
        return sans(certificate, 7);
    }

    private static List<String> sans(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            List<String> values = new ArrayList<>();
            if (all != null) {
                for (List<?> entry : all) {
                    if ((Integer) entry.get(0) == type) {
                        values.add((String) entry.get(1));
                    }
                }
            }
            return values;
        } catch (CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    /** Values of one attribute type in the subject, in certificate order. */
    static List<String> subjectValues(X509Certificate certificate, String type) {
        try {
            // RFC 2253 lists RDNs last-first; LdapName indexes them first-last again.
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
            List<String> values = new ArrayList<>();
            for (Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) {
                    values.add(rdn.getValue().toString());
                }
            }
            return values;
        } catch (InvalidNameException e) {
            throw new AssertionError(e);
        }
    }

    static String commonName(X509Certificate certificate) {
        List<String> cns = subjectValues(certificate, "CN");
        if (cns.size() != 1) {
            throw new AssertionError("expected one CN, got " + cns);
        }
        return cns.get(0);
    }

    static List<String> extendedKeyUsages(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages == null ? List.of() : usages;
        } catch (CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }
}
