package dev.operator.sks.autoscaling;

import dev.operator.sks.pki.CertificateRequest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Which cluster a cluster-autoscaler's client certificate speaks for: common name {@code <namespace>/<cluster>} and
 * organization the cluster's UID. The UID binds the certificate to one cluster object: a cluster deleted and made
 * again under the same name has a new UID, and the old certificate names nothing. The certificate is trusted only
 * because the operator's own autoscaler CA signed it (see {@link AutoscalerAuthority}), so these fields are the
 * operator's word, not the caller's.
 */
public record AutoscalerIdentity(String namespace, String cluster, String clusterUid) {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern UID = Pattern.compile("[-0-9a-zA-Z]{1,64}");

    /** The client certificate's subject for this identity. */
    public CertificateRequest certificateRequest(Duration validity) {
        return CertificateRequest.builder(namespace + "/" + cluster)
                .organizations(clusterUid)
                .clientAuth()
                .validity(validity)
                .build();
    }

    /** The identity a certificate names, empty when it names none in this form. */
    public static Optional<AutoscalerIdentity> of(X509Certificate certificate) {
        List<Rdn> rdns;
        try {
            rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        List<String> commonNames = values(rdns, "CN");
        List<String> organizations = values(rdns, "O");
        if (commonNames.size() != 1 || organizations.size() != 1) {
            return Optional.empty();
        }
        String[] parts = commonNames.get(0).split("/", -1);
        if (parts.length != 2
                || !DNS_LABEL.matcher(parts[0]).matches()
                || !DNS_LABEL.matcher(parts[1]).matches()
                || !UID.matcher(organizations.get(0)).matches()) {
            return Optional.empty();
        }
        return Optional.of(new AutoscalerIdentity(parts[0], parts[1], organizations.get(0)));
    }

    private static List<String> values(List<Rdn> rdns, String type) {
        return rdns.stream()
                .filter(r -> r.getType().equalsIgnoreCase(type))
                .map(r -> r.getValue().toString())
                .toList();
    }

    @Override
    public String toString() {
        return namespace + "/" + cluster + " (uid " + clusterUid + ")";
    }
}
