package dev.operator.sks.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.util.IPAddress;

/**
 * What a leaf certificate should say.
 *
 * @param commonName    subject CN; Kubernetes reads it as the user name of a client certificate
 * @param organizations subject O's, one RDN each, in order; Kubernetes reads them as the groups
 * @param dnsNames      DNS subject alternative names
 * @param ipAddresses   IP subject alternative names, as IPv4 or IPv6 literals (never resolved)
 * @param usages        server auth, client auth, or both
 * @param validity      how long from now; clamped to the issuer's own expiry
 * @param keyAlgorithm  the key to generate when the caller does not bring one
 */
public record CertificateRequest(
        String commonName,
        List<String> organizations,
        List<String> dnsNames,
        List<String> ipAddresses,
        Set<CertificateUsage> usages,
        Duration validity,
        KeyAlgorithm keyAlgorithm) {

    public CertificateRequest {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("commonName must not be blank");
        }
        organizations = List.copyOf(organizations == null ? List.of() : organizations);
        dnsNames = List.copyOf(dnsNames == null ? List.of() : dnsNames);
        ipAddresses = List.copyOf(ipAddresses == null ? List.of() : ipAddresses);
        organizations.forEach(o -> requireNotBlank(o, "organization"));
        for (String dnsName : dnsNames) {
            requireNotBlank(dnsName, "DNS name");
            if (dnsName.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("DNS name contains whitespace: '" + dnsName + "'");
            }
        }
        for (String ip : ipAddresses) {
            // Checked as a literal on purpose: InetAddress.getByName would resolve host names.
            if (ip == null || !IPAddress.isValid(ip)) {
                throw new IllegalArgumentException("not an IP address literal: '" + ip + "'");
            }
        }
        if (usages == null || usages.isEmpty()) {
            throw new IllegalArgumentException("at least one usage (SERVER_AUTH, CLIENT_AUTH) is required");
        }
        usages = Set.copyOf(usages);
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
        keyAlgorithm = keyAlgorithm == null ? KeyAlgorithm.DEFAULT : keyAlgorithm;
    }

    private static void requireNotBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    /** A builder with the defaults: one-year validity, {@link KeyAlgorithm#DEFAULT}. */
    public static Builder builder(String commonName) {
        return new Builder(commonName);
    }

    /**
     * Whether an existing certificate already says what this request asks for (same CN, O's,
     * SANs and usages), so a reconciler re-issues only when, say, a SAN was added. Validity and
     * key algorithm are not compared: expiry is {@link RenewalPolicy}'s business, and a key is
     * kept as long as it is usable.
     */
    public boolean isSatisfiedBy(X509Certificate certificate) {
        X500Name subject =
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        return commonName.equals(singleValue(subject, BCStyle.CN))
                && organizations.equals(values(subject, BCStyle.O))
                && new HashSet<>(dnsNames).equals(Set.copyOf(sans(certificate, 2)))
                && normalizedIps(ipAddresses).equals(normalizedIps(sans(certificate, 7)))
                && usages.equals(usagesOf(certificate));
    }

    private static String singleValue(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> values = values(name, type);
        return values.size() == 1 ? values.get(0) : null;
    }

    private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            // The raw string: IETFUtils.valueToString would escape ',', '+', '"' and friends.
            values.add(
                    rdn.getFirst().getValue() instanceof ASN1String string
                            ? string.getString()
                            : rdn.getFirst().getValue().toString());
        }
        return values;
    }

    /** SANs of one GeneralName type (2 = dNSName, 7 = iPAddress, as numbered by RFC 5280). */
    private static List<String> sans(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            List<String> result = new ArrayList<>();
            if (all != null) {
                for (List<?> entry : all) {
                    if (((Integer) entry.get(0)) == type) {
                        result.add((String) entry.get(1));
                    }
                }
            }
            return result;
        } catch (CertificateParsingException e) {
            throw new PkiException(
                    "cannot read the subject alternative names of " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** IPv6 has many spellings ("::1" and "0:0:0:0:0:0:0:1"); compare the addresses. */
    private static Set<InetAddress> normalizedIps(List<String> literals) {
        Set<InetAddress> addresses = new HashSet<>();
        for (String literal : literals) {
            try {
                addresses.add(InetAddress.getByName(literal)); // a literal: no lookup happens
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address literal: '" + literal + "'", e);
            }
        }
        return addresses;
    }

    private static Set<CertificateUsage> usagesOf(X509Certificate certificate) {
        try {
            List<String> oids = certificate.getExtendedKeyUsage();
            Set<CertificateUsage> usages = EnumSet.noneOf(CertificateUsage.class);
            if (oids != null) {
                if (oids.contains(BouncyCastlePki.SERVER_AUTH_OID)) {
                    usages.add(CertificateUsage.SERVER_AUTH);
                }
                if (oids.contains(BouncyCastlePki.CLIENT_AUTH_OID)) {
                    usages.add(CertificateUsage.CLIENT_AUTH);
                }
            }
            return usages;
        } catch (CertificateParsingException e) {
            throw new PkiException(
                    "cannot read the extended key usages of " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** Builds a {@link CertificateRequest}; validation happens in {@link #build()}. */
    public static final class Builder {
        private final String commonName;
        private final List<String> organizations = new ArrayList<>();
        private final Set<String> dnsNames = new LinkedHashSet<>();
        private final Set<String> ipAddresses = new LinkedHashSet<>();
        private final Set<CertificateUsage> usages = EnumSet.noneOf(CertificateUsage.class);
        private Duration validity = Pki.LEAF_VALIDITY;
        private KeyAlgorithm keyAlgorithm = KeyAlgorithm.DEFAULT;

        private Builder(String commonName) {
            this.commonName = commonName;
        }

        public Builder organizations(String... organizations) {
            return organizations(List.of(organizations));
        }

        public Builder organizations(Collection<String> organizations) {
            this.organizations.addAll(organizations);
            return this;
        }

        /** Duplicates are dropped, so callers can concatenate default and user-given SANs. */
        public Builder dnsNames(String... dnsNames) {
            return dnsNames(List.of(dnsNames));
        }

        public Builder dnsNames(Collection<String> dnsNames) {
            this.dnsNames.addAll(dnsNames);
            return this;
        }

        public Builder ipAddresses(String... ipAddresses) {
            return ipAddresses(List.of(ipAddresses));
        }

        public Builder ipAddresses(Collection<String> ipAddresses) {
            this.ipAddresses.addAll(ipAddresses);
            return this;
        }

        public Builder serverAuth() {
            usages.add(CertificateUsage.SERVER_AUTH);
            return this;
        }

        public Builder clientAuth() {
            usages.add(CertificateUsage.CLIENT_AUTH);
            return this;
        }

        public Builder validity(Duration validity) {
            this.validity = validity;
            return this;
        }

        public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
            this.keyAlgorithm = keyAlgorithm;
            return this;
        }

        public CertificateRequest build() {
            return new CertificateRequest(
                    commonName,
                    organizations,
                    List.copyOf(dnsNames),
                    List.copyOf(ipAddresses),
                    usages,
                    validity,
                    keyAlgorithm);
        }
    }
}
