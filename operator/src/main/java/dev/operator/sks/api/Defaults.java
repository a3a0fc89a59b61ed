package dev.operator.sks.api;

import dev.operator.sks.naming.Names;
import java.util.List;
import java.util.Map;

/**
 * The value each optional field has when it is absent. The API server applies the schema's defaults, but an object
 * written before a default existed (or served by a server that does not default) still reads the same here.
 *
 * <p>Renderers read an SKSCluster's defaults through {@link dev.operator.sks.rendering.ClusterModel}, which resolves
 * them once per reconcile; the validator, which decides whether a spec can become a model, reads them here.
 */
public final class Defaults {
    public static final String POD_CIDR = "192.168.0.0/16";
    public static final String SERVICE_CIDR = "10.96.0.0/12";
    public static final String DNS_DOMAIN = "cluster.local";
    public static final int DISK_SIZE_GIB = 50;
    public static final String INSTANCE_PREFIX = "pool";
    /**
     * The optional addons of a cluster whose spec names none (the schema's default too): metrics-server and the cloud
     * controller, as SKS deploys them by default (kubelets run with an external cloud provider, so without one no Node
     * loses its uninitialized taint). An explicit list, even empty, is taken as is.
     */
    public static final List<Addon> ADDONS = List.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);

    private Defaults() {}

    public static Level level(SKSClusterSpec spec) {
        return spec.level == null ? Level.STARTER : spec.level;
    }

    public static boolean autoUpgrade(SKSClusterSpec spec) {
        return Boolean.TRUE.equals(spec.autoUpgrade);
    }

    public static Cni cni(SKSClusterSpec spec) {
        return spec.cni == null ? Cni.CALICO : spec.cni;
    }

    public static List<Addon> addons(SKSClusterSpec spec) {
        return spec.addons == null ? ADDONS : spec.addons;
    }

    public static String podCidr(SKSClusterSpec spec) {
        return spec.networking == null || spec.networking.podCIDR == null ? POD_CIDR : spec.networking.podCIDR;
    }

    public static String serviceCidr(SKSClusterSpec spec) {
        return spec.networking == null || spec.networking.serviceCIDR == null
                ? SERVICE_CIDR
                : spec.networking.serviceCIDR;
    }

    public static String dnsDomain(SKSClusterSpec spec) {
        return spec.networking == null || spec.networking.dnsDomain == null ? DNS_DOMAIN : spec.networking.dnsDomain;
    }

    public static Exposure exposure(SKSClusterSpec spec) {
        return spec.controlPlane == null || spec.controlPlane.exposure == null
                ? Exposure.LOAD_BALANCER
                : spec.controlPlane.exposure;
    }

    public static List<String> certSans(SKSClusterSpec spec) {
        return spec.controlPlane == null || spec.controlPlane.certSANs == null ? List.of() : spec.controlPlane.certSANs;
    }

    public static int diskSize(NodepoolSpec spec) {
        return spec.diskSize == null ? DISK_SIZE_GIB : spec.diskSize;
    }

    public static final String DRAIN_TIMEOUT = "10m";
    public static final String UNHEALTHY_AFTER = "10m";
    public static final String MAX_UNHEALTHY = "40%";

    public static UpgradeStrategy upgradeStrategy(NodepoolSpec spec) {
        return spec.upgrade == null || spec.upgrade.strategy == null ? UpgradeStrategy.Replace : spec.upgrade.strategy;
    }

    public static int maxSurge(NodepoolSpec spec) {
        return spec.upgrade == null || spec.upgrade.maxSurge == null ? 1 : spec.upgrade.maxSurge;
    }

    public static int maxUnavailable(NodepoolSpec spec) {
        return spec.upgrade == null || spec.upgrade.maxUnavailable == null ? 0 : spec.upgrade.maxUnavailable;
    }

    public static String drainTimeout(NodepoolSpec spec) {
        return spec.drainTimeout == null ? DRAIN_TIMEOUT : spec.drainTimeout;
    }

    public static boolean autoRepair(NodepoolSpec spec) {
        return spec.autoRepair == null || !Boolean.FALSE.equals(spec.autoRepair.enabled);
    }

    public static String unhealthyAfter(NodepoolSpec spec) {
        return spec.autoRepair == null || spec.autoRepair.unhealthyAfter == null
                ? UNHEALTHY_AFTER
                : spec.autoRepair.unhealthyAfter;
    }

    /** maxUnhealthy as written: a count ("3") or a percentage ("40%"). */
    public static String maxUnhealthy(NodepoolSpec spec) {
        if (spec.autoRepair == null || spec.autoRepair.maxUnhealthy == null) {
            return MAX_UNHEALTHY;
        }
        var value = spec.autoRepair.maxUnhealthy;
        return value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
    }

    public static String instancePrefix(NodepoolSpec spec) {
        return spec.instancePrefix == null || spec.instancePrefix.isBlank() ? INSTANCE_PREFIX : spec.instancePrefix;
    }

    public static Map<String, String> labels(NodepoolSpec spec) {
        return spec.labels == null ? Map.of() : spec.labels;
    }

    public static List<NodepoolTaint> taints(NodepoolSpec spec) {
        return spec.taints == null ? List.of() : spec.taints;
    }

    public static long ttlSeconds(KubeconfigRequestSpec spec) {
        return spec.ttlSeconds == null ? KubeconfigRequestSpec.MAX_TTL_SECONDS : spec.ttlSeconds;
    }

    public static List<String> groups(KubeconfigRequestSpec spec) {
        return spec.groups == null ? List.of() : spec.groups;
    }

    public static String secretName(KubeconfigRequest request) {
        String name = request.getSpec().secretName;
        return name == null || name.isBlank()
                ? Names.kubeconfigSecret(request.getMetadata().getName())
                : name;
    }
}
