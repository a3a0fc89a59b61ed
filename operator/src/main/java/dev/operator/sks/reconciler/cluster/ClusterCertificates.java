package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.rendering.ApiserverUrls;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.SubjectAltNames;
import dev.operator.sks.tenant.TenantBootstrapObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Which certificates a cluster needs, who signs each, and what they say: pure knowledge, no keys and no client.
 * Subjects follow kubeadm's, so the components' RBAC bindings (system:kube-controller-manager, ...) apply as-is.
 */
public final class ClusterCertificates {
    /** The user the operator is in its own admin kubeconfig. */
    public static final String OPERATOR_USER = "sks-operator";

    public static final String MASTERS_GROUP = "system:masters";

    private ClusterCertificates() {}

    /** The certificate authorities of one cluster; each signs only its own leaves. */
    public enum Authority {
        CLUSTER(Names::clusterCa, "kubernetes"),
        ETCD(Names::etcdCa, "etcd-ca"),
        FRONT_PROXY(Names::frontProxyCa, "front-proxy-ca"),
        /** Signs user kubeconfigs only, so it can be rotated without touching nodes or components. */
        CLIENTS(Names::clientsCa, "kubernetes-clients-ca");

        private final UnaryOperator<String> secretName;
        private final String commonName;

        Authority(UnaryOperator<String> secretName, String commonName) {
            this.secretName = secretName;
            this.commonName = commonName;
        }

        public String secretName(String cluster) {
            return secretName.apply(cluster);
        }

        public String commonName() {
            return commonName;
        }
    }

    /**
     * The keys that rotate with a dual-trust window ({@link dev.operator.sks.pki.RotationPlan}), each on its own
     * annotation. The clients CA is not among them: its rotation is meant to revoke, so it is replaced at once.
     */
    public enum Rotatable {
        CLUSTER_CA("cluster-ca", Labels.ROTATE_CLUSTER_CA_ANNOTATION, Optional.of(Authority.CLUSTER)),
        ETCD_CA("etcd-ca", Labels.ROTATE_ETCD_CA_ANNOTATION, Optional.of(Authority.ETCD)),
        FRONT_PROXY_CA("front-proxy-ca", Labels.ROTATE_FRONT_PROXY_CA_ANNOTATION, Optional.of(Authority.FRONT_PROXY)),
        SERVICE_ACCOUNT_KEY("service-account-key", Labels.ROTATE_SERVICE_ACCOUNT_KEY_ANNOTATION, Optional.empty());

        private final String shown;
        private final String annotation;
        private final Optional<Authority> authority;

        Rotatable(String shown, String annotation, Optional<Authority> authority) {
            this.shown = shown;
            this.annotation = annotation;
            this.authority = authority;
        }

        /** As status, events and the expiry metric name it. */
        public String shown() {
            return shown;
        }

        /** The annotation on the SKSCluster whose new value asks for a rotation. */
        public String annotation() {
            return annotation;
        }

        /** The CA, or empty for the service-account key. */
        public Optional<Authority> authority() {
            return authority;
        }

        public String secretName(String cluster) {
            return authority.map(a -> a.secretName(cluster)).orElseGet(() -> Names.serviceAccountKeys(cluster));
        }

        public static Optional<Rotatable> of(Authority authority) {
            for (Rotatable rotatable : values()) {
                if (rotatable.authority.equals(Optional.of(authority))) {
                    return Optional.of(rotatable);
                }
            }
            return Optional.empty();
        }
    }

    /** A leaf certificate kept in a Secret with tls.crt, tls.key and ca.crt. */
    public record Leaf(String secretName, Authority issuer, CertificateRequest request) {}

    /** A client certificate kept inside a kubeconfig (Secret key {@code value}), signed by the cluster CA. */
    public record Kubeconfig(String secretName, String server, CertificateRequest request) {}

    /** The leaves of {@code model}, the API server's naming {@code endpointHost} once the endpoint is known. */
    public static List<Leaf> leaves(ClusterModel model, Optional<String> endpointHost, KeyAlgorithm algorithm) {
        String cluster = model.name();
        SubjectAltNames apiserver = model.apiserverSans(endpointHost);
        SubjectAltNames etcdServer = model.etcdServerSans();
        SubjectAltNames etcdPeer = model.etcdPeerSans();
        return List.of(
                new Leaf(
                        Names.apiserverCertificate(cluster),
                        Authority.CLUSTER,
                        CertificateRequest.builder("kube-apiserver")
                                .dnsNames(apiserver.dnsNames())
                                .ipAddresses(apiserver.ipAddresses())
                                .serverAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Leaf(
                        Names.apiserverKubeletClient(cluster),
                        Authority.CLUSTER,
                        CertificateRequest.builder("kube-apiserver-kubelet-client")
                                .organizations(MASTERS_GROUP)
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Leaf(
                        Names.apiserverEtcdClient(cluster),
                        Authority.ETCD,
                        CertificateRequest.builder("kube-apiserver-etcd-client")
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Leaf(
                        Names.etcdServerCertificate(cluster),
                        Authority.ETCD,
                        CertificateRequest.builder(cluster + "-etcd")
                                .dnsNames(etcdServer.dnsNames())
                                .ipAddresses(etcdServer.ipAddresses())
                                .serverAuth()
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Leaf(
                        Names.etcdPeerCertificate(cluster),
                        Authority.ETCD,
                        CertificateRequest.builder(cluster + "-etcd-peer")
                                .dnsNames(etcdPeer.dnsNames())
                                .ipAddresses(etcdPeer.ipAddresses())
                                .serverAuth()
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Leaf(
                        Names.frontProxyClient(cluster),
                        Authority.FRONT_PROXY,
                        CertificateRequest.builder(Names.FRONT_PROXY_CLIENT_COMMON_NAME)
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()));
    }

    /** The user the cluster-autoscaler is in the tenant, bound to upstream's rights by the tenant bootstrap. */
    public static final String CLUSTER_AUTOSCALER_USER = TenantBootstrapObjects.CLUSTER_AUTOSCALER_USER;

    /**
     * The kubeconfigs of {@link #kubeconfigs}, plus the cluster-autoscaler's while it is wanted (some pool autoscaled):
     * it reaches the API server through its Service from next to the control plane, as the controller-manager does.
     */
    public static List<Kubeconfig> kubeconfigs(ClusterModel model, KeyAlgorithm algorithm, boolean autoscaled) {
        List<Kubeconfig> kubeconfigs = new ArrayList<>(kubeconfigs(model, algorithm));
        if (autoscaled) {
            kubeconfigs.add(new Kubeconfig(
                    Names.clusterAutoscalerKubeconfig(model.name()),
                    ApiserverUrls.inManagementCluster(model.owner()),
                    CertificateRequest.builder(CLUSTER_AUTOSCALER_USER)
                            .clientAuth()
                            .keyAlgorithm(algorithm)
                            .build()));
        }
        return List.copyOf(kubeconfigs);
    }

    /**
     * Kubeconfigs of the operator and the control-plane components. Components in other pods reach the API server
     * through its Service; konnectivity-server shares the API server's pod and uses loopback.
     */
    public static List<Kubeconfig> kubeconfigs(ClusterModel model, KeyAlgorithm algorithm) {
        String cluster = model.name();
        String viaService = ApiserverUrls.inManagementCluster(model.owner());
        String viaLoopback = ApiserverUrls.LOCAL;
        return List.of(
                new Kubeconfig(
                        Names.adminKubeconfig(cluster),
                        viaService,
                        CertificateRequest.builder(OPERATOR_USER)
                                .organizations(MASTERS_GROUP)
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Kubeconfig(
                        Names.controllerManagerKubeconfig(cluster),
                        viaService,
                        CertificateRequest.builder("system:kube-controller-manager")
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Kubeconfig(
                        Names.schedulerKubeconfig(cluster),
                        viaService,
                        CertificateRequest.builder("system:kube-scheduler")
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()),
                new Kubeconfig(
                        Names.konnectivityKubeconfig(cluster),
                        viaLoopback,
                        CertificateRequest.builder("system:konnectivity-server")
                                .clientAuth()
                                .keyAlgorithm(algorithm)
                                .build()));
    }
}
