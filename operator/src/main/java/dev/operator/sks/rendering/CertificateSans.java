package dev.operator.sks.rendering;

import dev.operator.sks.naming.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.util.IPAddress;

/**
 * Which names the control plane's serving certificates must carry, read through {@link ClusterModel}. The PKI issues
 * what these lists say; a reconciler re-issues a certificate when its list changes (a new endpoint, a new certSAN).
 */
public final class CertificateSans {
    /**
     * DNS domain assumed for the management cluster's own Services (for the fully qualified Service names). The short
     * forms ({@code name.namespace.svc}) resolve whatever the domain is; the renderers only use those.
     */
    public static final String MANAGEMENT_CLUSTER_DOMAIN = "cluster.local";

    public static final String LOCALHOST = "localhost";
    public static final String LOOPBACK_IPV4 = "127.0.0.1";

    private CertificateSans() {}

    /**
     * The API server's serving certificate (also konnectivity-server's, for the agents): the in-cluster names of the
     * tenant's {@code kubernetes} Service, the management cluster's {@code <cluster>-apiserver} Service, the first IP of
     * the service CIDR, loopback, the endpoint's host and {@code spec.controlPlane.certSANs}.
     */
    static SubjectAltNames apiserver(ClusterModel cluster, Optional<String> endpointHost) {
        Builder sans = new Builder();
        sans.dns(
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc." + cluster.network().dnsDomain());
        sans.dns(serviceNames(Names.apiserverService(cluster.name()), cluster.namespace()));
        sans.dns(LOCALHOST);
        sans.ip(cluster.network().kubernetesServiceIp(), LOOPBACK_IPV4);
        endpointHost.ifPresent(sans::any);
        cluster.extraSans().forEach(sans::any);
        return sans.build();
    }

    /**
     * etcd's serving certificate: each member's name under the peer Service, the client Service, loopback. Members are
     * listed for a pro cluster's size whatever the level, so going from starter to pro needs no new certificate.
     */
    static SubjectAltNames etcdServer(String name, String namespace) {
        Builder sans = new Builder();
        sans.dns(memberNames(name, namespace));
        sans.dns(serviceNames(Names.etcdClientService(name), namespace));
        sans.dns(LOCALHOST);
        sans.ip(LOOPBACK_IPV4);
        return sans.build();
    }

    /**
     * etcd's peer certificate, which serves peer traffic too: members check each other's names against the peer URLs
     * ({@code https://<member>.<peer-service>.<ns>.svc:2380}).
     */
    static SubjectAltNames etcdPeer(String name, String namespace) {
        Builder sans = new Builder();
        sans.dns(memberNames(name, namespace));
        sans.dns(LOCALHOST);
        sans.ip(LOOPBACK_IPV4);
        return sans.build();
    }

    /** Whether a SAN is an IP address literal (v4 or v6) rather than a DNS name. */
    public static boolean isIpAddress(String value) {
        return value != null && IPAddress.isValid(value);
    }

    private static List<String> memberNames(String name, String namespace) {
        String peerService = Names.etcdPeerService(name);
        List<String> names = new ArrayList<>();
        for (int ordinal = 0; ordinal < EtcdRenderer.MAX_MEMBERS; ordinal++) {
            String member = Names.etcdMember(name, ordinal) + "." + peerService;
            names.add(member);
            names.add(member + "." + namespace);
            names.add(member + "." + namespace + ".svc");
            names.add(member + "." + namespace + ".svc." + MANAGEMENT_CLUSTER_DOMAIN);
        }
        return names;
    }

    private static List<String> serviceNames(String service, String namespace) {
        return List.of(
                service,
                service + "." + namespace,
                service + "." + namespace + ".svc",
                service + "." + namespace + ".svc." + MANAGEMENT_CLUSTER_DOMAIN);
    }

    /** Keeps first-seen order and drops duplicates (DNS names compare case-insensitively). */
    private static final class Builder {
        private final Set<String> dnsNames = new LinkedHashSet<>();
        private final Set<String> ipAddresses = new LinkedHashSet<>();

        void dns(String... names) {
            dns(List.of(names));
        }

        void dns(Collection<String> names) {
            names.forEach(n -> dnsNames.add(n.toLowerCase(Locale.ROOT)));
        }

        void ip(String... addresses) {
            ipAddresses.addAll(List.of(addresses));
        }

        void any(String value) {
            String trimmed = value.trim();
            if (trimmed.isEmpty()) {
                return;
            }
            if (isIpAddress(trimmed)) {
                ipAddresses.add(trimmed);
            } else {
                dnsNames.add(trimmed.toLowerCase(Locale.ROOT));
            }
        }

        SubjectAltNames build() {
            return new SubjectAltNames(List.copyOf(dnsNames), List.copyOf(ipAddresses));
        }
    }
}
