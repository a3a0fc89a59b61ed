package dev.operator.sks.catalog;

/** Every image the catalog must name for each Kubernetes minor; the key is the one in kubernetes-versions.yaml. */
public enum Component {
    ETCD("etcd"),
    KUBE_APISERVER("kube-apiserver"),
    KUBE_CONTROLLER_MANAGER("kube-controller-manager"),
    KUBE_SCHEDULER("kube-scheduler"),
    KUBE_PROXY("kube-proxy"),
    KONNECTIVITY_SERVER("konnectivity-server"),
    KONNECTIVITY_AGENT("konnectivity-agent"),
    COREDNS("coredns"),
    CALICO("calico"),
    METRICS_SERVER("metrics-server"),
    /** The Exoscale cloud controller manager. */
    CLOUD_CONTROLLER("cloud-controller"),
    /** The KubeVirt cloud controller manager (upstream cloud-provider-kubevirt). */
    KUBEVIRT_CLOUD_CONTROLLER("kubevirt-cloud-controller"),
    /**
     * The upstream cluster-autoscaler, one release per minor (its minor follows Kubernetes'), run next to the control
     * plane of clusters with autoscaled nodepools.
     */
    CLUSTER_AUTOSCALER("cluster-autoscaler");

    private final String key;

    Component(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
