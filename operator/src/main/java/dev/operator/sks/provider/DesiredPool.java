package dev.operator.sks.provider;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.catalog.InstanceType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a provider needs to build one pool, free of any Kubernetes type so providers stay easy to test.
 *
 * @param namespace the InstancePool's namespace (KubeVirt puts its VirtualMachines there)
 * @param poolName the InstancePool's name, unique in its namespace; the backend pool carries it
 * @param template the machine image: an Exoscale template name or id, a KubeVirt container image; empty selects the
 *     provider's configured default
 * @param deployTarget a dedicated hypervisor (Exoscale deploy target, KubeVirt node name)
 * @param userData the cloud-init user-data itself (Exoscale sends it with the pool)
 * @param userDataSecretName the Secret holding the same user-data under key {@code userData} (KubeVirt references
 *     it, so the user-data never sits in a VirtualMachine object)
 * @param providerId the backend's id of the pool from an earlier {@link ProviderPool#providerId()}, if kept
 */
public record DesiredPool(
        String namespace,
        String poolName,
        String cluster,
        String zone,
        int size,
        InstanceType instanceType,
        int diskSizeGib,
        String template,
        String instancePrefix,
        List<String> securityGroups,
        List<String> antiAffinityGroups,
        List<String> privateNetworks,
        Optional<String> deployTarget,
        Map<String, String> nodeLabels,
        List<NodepoolTaint> taints,
        String userData,
        Optional<String> userDataSecretName,
        Optional<String> providerId) {

    public DesiredPool {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(poolName, "poolName");
        Objects.requireNonNull(instanceType, "instanceType");
        if (size < 0) {
            throw new IllegalArgumentException("pool size " + size + " is negative");
        }
        cluster = Objects.requireNonNullElse(cluster, "");
        zone = Objects.requireNonNullElse(zone, "");
        template = Objects.requireNonNullElse(template, "").trim();
        instancePrefix = blankToNull(instancePrefix) == null ? Defaults.INSTANCE_PREFIX : instancePrefix.trim();
        securityGroups = List.copyOf(Objects.requireNonNullElse(securityGroups, List.of()));
        antiAffinityGroups = List.copyOf(Objects.requireNonNullElse(antiAffinityGroups, List.of()));
        privateNetworks = List.copyOf(Objects.requireNonNullElse(privateNetworks, List.of()));
        deployTarget = Objects.requireNonNullElse(deployTarget, Optional.<String>empty())
                .filter(s -> !s.isBlank());
        nodeLabels = Map.copyOf(Objects.requireNonNullElse(nodeLabels, Map.of()));
        taints = List.copyOf(Objects.requireNonNullElse(taints, List.of()));
        userData = Objects.requireNonNullElse(userData, "");
        userDataSecretName = Objects.requireNonNullElse(userDataSecretName, Optional.<String>empty())
                .filter(s -> !s.isBlank());
        providerId =
                Objects.requireNonNullElse(providerId, Optional.<String>empty()).filter(s -> !s.isBlank());
    }

    /**
     * The desired pool of an InstancePool, as its reconciler sees it.
     *
     * @param instanceType the spec's instance type, already looked up in the catalog
     * @param userData the content of the pool's user-data Secret
     */
    public static DesiredPool from(InstancePool pool, InstanceType instanceType, String userData) {
        InstancePoolSpec spec = pool.getSpec();
        return new DesiredPool(
                pool.getMetadata().getNamespace(),
                pool.getMetadata().getName(),
                spec.cluster,
                spec.zone,
                spec.size == null ? 0 : spec.size,
                instanceType,
                spec.diskSize == null ? Defaults.DISK_SIZE_GIB : spec.diskSize,
                spec.template,
                spec.instancePrefix,
                spec.securityGroups,
                spec.antiAffinityGroups,
                spec.privateNetworks,
                Optional.ofNullable(spec.deployTarget),
                spec.labels,
                spec.taints,
                userData,
                Optional.ofNullable(spec.userDataSecretName),
                Optional.empty());
    }

    /** Namespace and name: identifies the pool among all the operator serves. */
    public String key() {
        return namespace + "/" + poolName;
    }

    public DesiredPool withSize(int newSize) {
        return new DesiredPool(
                namespace,
                poolName,
                cluster,
                zone,
                newSize,
                instanceType,
                diskSizeGib,
                template,
                instancePrefix,
                securityGroups,
                antiAffinityGroups,
                privateNetworks,
                deployTarget,
                nodeLabels,
                taints,
                userData,
                userDataSecretName,
                providerId);
    }

    /** This pool with the backend id a provider reported earlier (empty to look the pool up by name). */
    public DesiredPool withProviderId(String id) {
        return new DesiredPool(
                namespace,
                poolName,
                cluster,
                zone,
                size,
                instanceType,
                diskSizeGib,
                template,
                instancePrefix,
                securityGroups,
                antiAffinityGroups,
                privateNetworks,
                deployTarget,
                nodeLabels,
                taints,
                userData,
                userDataSecretName,
                Optional.ofNullable(id));
    }

    /** Leaves the user-data out: it holds a bootstrap token, and records print every field. */
    @Override
    public String toString() {
        return "DesiredPool[" + key() + ", cluster=" + cluster + ", zone=" + zone + ", size=" + size + ", instanceType="
                + instanceType.name() + ", diskSizeGib=" + diskSizeGib + ", template=" + template + ", instancePrefix="
                + instancePrefix + ", userData=" + (userData.isEmpty() ? "none" : userData.length() + " chars")
                + ", providerId=" + providerId.orElse("none") + "]";
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
