package dev.operator.sks.naming;

import java.util.Random;

/**
 * Names of every object the operator makes. Secrets follow Cluster API's conventions ({@code <cluster>-ca},
 * {@code <cluster>-kubeconfig}, ...) so tools that know those conventions find them.
 */
public final class Names {
    private Names() {}

    // Certificate authorities and key pairs (Secrets with tls.crt / tls.key).
    public static String clusterCa(String cluster) {
        return cluster + "-ca";
    }

    public static String etcdCa(String cluster) {
        return cluster + "-etcd";
    }

    public static String frontProxyCa(String cluster) {
        return cluster + "-proxy";
    }

    public static String serviceAccountKeys(String cluster) {
        return cluster + "-sa";
    }

    public static String clientsCa(String cluster) {
        return cluster + "-clients-ca";
    }

    /**
     * A cluster made from a backup: where its etcd members download the snapshot (keys {@code url}, a presigned URL
     * of that one object, and {@code sha256}), owned by the cluster.
     */
    public static String etcdRestore(String cluster) {
        return cluster + "-etcd-restore";
    }

    /** The operator's own admin kubeconfig for the tenant cluster (key {@code value}). */
    public static String adminKubeconfig(String cluster) {
        return cluster + "-kubeconfig";
    }

    /**
     * The credentials made for the cluster's cloud controller, kept where the operator can renew and revoke them: an
     * Exoscale API key (the tenant's {@link #EXOSCALE_CREDENTIALS_SECRET} is a copy) or a KubeVirt infrastructure
     * kubeconfig (copied to {@link #KUBEVIRT_INFRA_KUBECONFIG_SECRET}).
     */
    public static String ccmCredentials(String cluster) {
        return cluster + "-ccm-credentials";
    }

    /**
     * The KubeVirt cloud controller's identity in the management cluster: a ServiceAccount, the Role of what it may do
     * in the cluster's namespace (Services, VirtualMachineInstances) and their RoleBinding share this name.
     */
    public static String cloudControllerAccount(String cluster) {
        return cluster + "-cloud-controller";
    }

    /** Public CA certificates, what SKS serves as the cluster's authority certificates. */
    public static String caCertificates(String cluster) {
        return cluster + "-ca-certificates";
    }

    // Leaf certificates (Secrets with tls.crt, tls.key and ca.crt).
    public static String apiserverCertificate(String cluster) {
        return cluster + "-apiserver";
    }

    public static String apiserverKubeletClient(String cluster) {
        return cluster + "-apiserver-kubelet-client";
    }

    public static String apiserverEtcdClient(String cluster) {
        return cluster + "-apiserver-etcd-client";
    }

    public static String etcdServerCertificate(String cluster) {
        return cluster + "-etcd-server";
    }

    public static String etcdPeerCertificate(String cluster) {
        return cluster + "-etcd-peer";
    }

    public static String frontProxyClient(String cluster) {
        return cluster + "-front-proxy-client";
    }

    public static String controllerManagerKubeconfig(String cluster) {
        return cluster + "-controller-manager-kubeconfig";
    }

    public static String schedulerKubeconfig(String cluster) {
        return cluster + "-scheduler-kubeconfig";
    }

    public static String konnectivityKubeconfig(String cluster) {
        return cluster + "-konnectivity-kubeconfig";
    }

    /**
     * The CAs the API server trusts for client certificates: the cluster CA and the clients CA concatenated into one
     * PEM under {@link #CLIENT_CA_BUNDLE_KEY}, since {@code --client-ca-file} takes one file. The reconciler writes it.
     */
    public static String clientCaBundle(String cluster) {
        return cluster + "-client-ca-bundle";
    }

    // Keys inside those Secrets.
    public static final String TLS_CERTIFICATE_KEY = "tls.crt";
    public static final String TLS_PRIVATE_KEY_KEY = "tls.key";
    /**
     * The CAs a leaf's peers are trusted by, next to it; in a CA Secret, the CAs trusted for it (itself, and during a
     * rotation the other one too). Always the signing CA first.
     */
    public static final String CA_CERTIFICATE_KEY = "ca.crt";
    /**
     * In a CA or service-account key Secret during a rotation: the new key and its certificate (CA) or public key,
     * trusted but not signing yet.
     */
    public static final String NEXT_CERTIFICATE_KEY = "next.crt";

    public static final String NEXT_PRIVATE_KEY_KEY = "next.key";
    /** In a CA or service-account key Secret during a rotation: the replaced certificate or public key, still trusted. */
    public static final String PREVIOUS_CERTIFICATE_KEY = "previous.crt";
    /** Cluster API's key for a kubeconfig in a Secret. */
    public static final String KUBECONFIG_KEY = "value";

    public static final String CLIENT_CA_BUNDLE_KEY = "ca.crt";

    // Identities the control plane and the tenant's addons must agree on.
    /** Common name of {@link #frontProxyClient}: the API server accepts request headers from it only. */
    public static final String FRONT_PROXY_CLIENT_COMMON_NAME = "front-proxy-client";
    /** Namespace and service account of the konnectivity agents in the tenant cluster. */
    public static final String KONNECTIVITY_AGENT_NAMESPACE = "kube-system";

    public static final String KONNECTIVITY_AGENT_SERVICE_ACCOUNT = "konnectivity-agent";
    /** Audience of the service-account tokens agents present to konnectivity-server. */
    public static final String KONNECTIVITY_SERVER_AUDIENCE = "system:konnectivity-server";

    // Workloads and Services.
    public static String etcdStatefulSet(String cluster) {
        return cluster + "-etcd";
    }

    /** Headless Service giving each etcd member a stable DNS name for peer traffic. */
    public static String etcdPeerService(String cluster) {
        return cluster + "-etcd-peer";
    }

    public static String etcdClientService(String cluster) {
        return cluster + "-etcd-client";
    }

    public static String etcdMember(String cluster, int ordinal) {
        return etcdStatefulSet(cluster) + "-" + ordinal;
    }

    /** The volumeClaimTemplate of the etcd StatefulSet; each member's claim is {@link #etcdDataClaim}. */
    public static final String ETCD_DATA_VOLUME = "data";

    public static String etcdDataClaim(String cluster, int ordinal) {
        return ETCD_DATA_VOLUME + "-" + etcdMember(cluster, ordinal);
    }

    public static String apiserverService(String cluster) {
        return cluster + "-apiserver";
    }

    public static String apiserverDeployment(String cluster) {
        return cluster + "-apiserver";
    }

    public static String controllerManagerDeployment(String cluster) {
        return cluster + "-controller-manager";
    }

    public static String schedulerDeployment(String cluster) {
        return cluster + "-scheduler";
    }

    /** The cluster's cluster-autoscaler Deployment, next to its control plane. */
    public static String clusterAutoscalerDeployment(String cluster) {
        return cluster + "-cluster-autoscaler";
    }

    /**
     * The cluster-autoscaler's credentials for the operator's externalgrpc provider: its client certificate, the CA it
     * trusts the operator by, and its cloud-config. Its tenant kubeconfig is {@link #clusterAutoscalerKubeconfig}.
     */
    public static String clusterAutoscalerSecret(String cluster) {
        return cluster + "-cluster-autoscaler";
    }

    /**
     * The cluster-autoscaler's kubeconfig for the tenant, a client certificate of the cluster CA. Not {@code
     * -kubeconfig}: that ending would reserve {@code -cluster-autoscaler} from cluster names (see {@link DerivedNames}).
     */
    public static String clusterAutoscalerKubeconfig(String cluster) {
        return cluster + "-cluster-autoscaler-tenant";
    }

    /**
     * The operator's own CA for the cluster-autoscalers' client certificates (and its gRPC server certificate), in the
     * operator's namespace: one per installation, not per cluster.
     */
    public static final String AUTOSCALER_CA_SECRET = "sks-operator-autoscaler-ca";

    public static String controlPlaneConfig(String cluster) {
        return cluster + "-control-plane-config";
    }

    public static String podDisruptionBudget(String deployment) {
        return deployment;
    }

    // Nodepools.
    public static String instancePool(String nodepool, String nodepoolId) {
        return "nodepool-" + nodepool + "-" + nodepoolId;
    }

    public static String userData(String instancePool) {
        return instancePool + "-user-data";
    }

    private static final int MAX_PLUGIN_REQUEST_PREFIX = 60;

    /**
     * {@code generateName} of a KubeconfigRequest that {@code kubectl sks kubeconfig} makes: {@code <cluster>-<user>-}
     * with the user cut down to lowercase letters, digits and dashes, so people can tell them apart in {@code kubectl
     * get kcr}; the API server appends five random characters. Its Secret, {@code <name>-kubeconfig}, ends in the random
     * part, so it is never a name a cluster reserves.
     */
    public static String pluginKubeconfigRequestPrefix(String cluster, String user) {
        String slug = user.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        String prefix = slug.isEmpty() ? cluster : cluster + "-" + slug;
        if (prefix.length() > MAX_PLUGIN_REQUEST_PREFIX) {
            prefix = prefix.substring(0, MAX_PLUGIN_REQUEST_PREFIX).replaceAll("-+$", "");
        }
        return prefix + "-";
    }

    private static final String SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int SUFFIX_LENGTH = 5;
    /** A machine's name becomes its hostname and Node name: one DNS label. */
    private static final int MAX_HOSTNAME = 63;

    /** Five random lowercase letters and digits, what Exoscale appends to an instance pool's prefix. */
    public static String randomSuffix(Random random) {
        StringBuilder suffix = new StringBuilder(SUFFIX_LENGTH);
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            suffix.append(SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length())));
        }
        return suffix.toString();
    }

    /** An instance of a pool: {@code <instancePrefix>-<suffix>}, as Exoscale names instance pool members. */
    public static String poolInstance(String instancePrefix, String suffix) {
        return instancePrefix + "-" + suffix;
    }

    /**
     * A KubeVirt VirtualMachine of an instance pool: {@code <instancePool>-<suffix>}, the pool name shortened when the
     * whole would not fit in a hostname.
     */
    public static String kubevirtVirtualMachine(String instancePool, String suffix) {
        String pool = instancePool;
        int room = MAX_HOSTNAME - suffix.length() - 1;
        if (pool.length() > room) {
            pool = pool.substring(0, room);
        }
        while (pool.endsWith("-") || pool.endsWith(".")) {
            pool = pool.substring(0, pool.length() - 1);
        }
        return pool + "-" + suffix;
    }

    /** The DataVolume (and its PVC) holding a KubeVirt VirtualMachine's root disk. */
    public static String kubevirtRootDisk(String virtualMachine) {
        return virtualMachine + "-root";
    }

    /**
     * Management-side Secret holding the cluster's current node join token (and the previous one while it is still
     * valid), so user-data can be rendered before the tenant API answers.
     */
    public static String bootstrapToken(String cluster) {
        return cluster + "-bootstrap-token";
    }

    /** Key of the cloud-init user-data in {@link #userData} Secrets. */
    public static final String USER_DATA_KEY = "userData";

    // Objects in the tenant cluster; kubeadm join looks for them by these exact names.
    public static final String TENANT_KUBE_SYSTEM = "kube-system";
    public static final String TENANT_KUBE_PUBLIC = "kube-public";
    /** kube-public ConfigMap with a kubeconfig of the cluster's server and CA, which kubeadm discovery reads. */
    public static final String CLUSTER_INFO_CONFIG_MAP = "cluster-info";
    /** kube-system ConfigMap with the kubeadm ClusterConfiguration, which kubeadm join reads. */
    public static final String KUBEADM_CONFIG_CONFIG_MAP = "kubeadm-config";
    /** kube-system ConfigMap with the KubeletConfiguration every joining kubelet starts with. */
    public static final String KUBELET_CONFIG_CONFIG_MAP = "kubelet-config";

    // Addons in the tenant's kube-system, named as kubeadm and their upstream manifests name them, so their
    // documentation and tools (kubectl -n kube-system get ds kube-proxy) apply.
    public static final String KUBE_PROXY = "kube-proxy";
    public static final String COREDNS = "coredns";
    /** The cluster DNS Service: kubeadm's name, which some tools look up. */
    public static final String KUBE_DNS_SERVICE = "kube-dns";

    public static final String KONNECTIVITY_AGENT = "konnectivity-agent";
    public static final String METRICS_SERVER = "metrics-server";
    public static final String METRICS_API_SERVICE = "v1beta1.metrics.k8s.io";
    public static final String CLOUD_CONTROLLER_MANAGER = "exoscale-cloud-controller-manager";
    public static final String CLOUD_CONTROLLER_SERVICE_ACCOUNT = "cloud-controller-manager";
    /** kube-system Secret with the Exoscale API key the cloud controller uses: the user creates it, never the operator. */
    public static final String EXOSCALE_CREDENTIALS_SECRET = "exoscale-credentials";
    /** The KubeVirt cloud controller, upstream's name. */
    public static final String KUBEVIRT_CLOUD_CONTROLLER_MANAGER = "kubevirt-cloud-controller-manager";
    /** kube-system ConfigMap with the KubeVirt cloud controller's cloud-config. */
    public static final String KUBEVIRT_CLOUD_CONFIG = "kubevirt-cloud-config";
    /**
     * kube-system Secret with the kubeconfig the KubeVirt cloud controller reaches the management (infrastructure)
     * cluster with: a copy of {@link #ccmCredentials}, made by the operator.
     */
    public static final String KUBEVIRT_INFRA_KUBECONFIG_SECRET = "kubevirt-infra-kubeconfig";
    /** Key of the infrastructure kubeconfig in {@link #ccmCredentials} and its tenant copy. */
    public static final String INFRA_KUBECONFIG_KEY = "infra-kubeconfig";

    // Calico, named as its manifest install (calico.yaml) names them, so Calico's documentation applies.
    public static final String CALICO = "calico";
    public static final String CALICO_NODE = "calico-node";
    public static final String CALICO_KUBE_CONTROLLERS = "calico-kube-controllers";
    public static final String CALICO_CNI_PLUGIN = "calico-cni-plugin";
    /** kube-system ConfigMap with the backend, the MTU and the CNI network configuration install-cni writes. */
    public static final String CALICO_CONFIG_MAP = "calico-config";
    /**
     * kube-system ConfigMap Calico's components read {@code KUBERNETES_SERVICE_HOST} and {@code _PORT} from (Calico's
     * documented override): the control plane's endpoint, which nodes reach whatever the exposure.
     */
    public static final String KUBERNETES_SERVICES_ENDPOINT_CONFIG_MAP = "kubernetes-services-endpoint";
    /** The pool calico-node would create from CALICO_IPV4POOL_CIDR, under the name it would give it. */
    public static final String CALICO_DEFAULT_IPV4_POOL = "default-ipv4-ippool";

    /** A bootstrap token in the tenant's kube-system: the API server finds a token by this name alone. */
    public static String tenantBootstrapTokenSecret(String tokenId) {
        return "bootstrap-token-" + tokenId;
    }

    // Kubeconfig requests.
    /** The Secret a KubeconfigRequest writes when it names none ({@code spec.secretName}). */
    public static String kubeconfigSecret(String request) {
        return request + "-kubeconfig";
    }

    /** Key of the kubeconfig in a KubeconfigRequest's Secret (the operator's own kubeconfigs use {@link #KUBECONFIG_KEY}). */
    public static final String KUBECONFIG_REQUEST_KEY = "kubeconfig";

    // Leader election.
    public static final String LEADER_ELECTION_LEASE = "sks-operator-leader";
}
