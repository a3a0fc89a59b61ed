package dev.operator.sks.validation;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.lifecycle.HealthCheck;
import dev.operator.sks.naming.DerivedNames;
import dev.operator.sks.support.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the schema cannot check about a Nodepool: the instance type catalog, label syntax, immutable cluster. */
public final class NodepoolValidator {
    public static final int MIN_DISK_GIB = 20;
    public static final int MAX_DISK_GIB = 51200;

    private final InstanceTypeCatalog instanceTypes;

    public NodepoolValidator(InstanceTypeCatalog instanceTypes) {
        this.instanceTypes = instanceTypes;
    }

    /** Everything wrong with {@code nodepool}: its name, then its spec. */
    public List<Violation> validate(Nodepool nodepool, NodepoolStatus status) {
        List<Violation> violations = new ArrayList<>();
        String name = nodepool.getMetadata().getName();
        // The name labels the pool's objects (sks.operator.dev/nodepool): a label value of at most 63 characters.
        if (name == null || !Values.isLabelValue(name) || name.length() > DerivedNames.DNS_LABEL_MAX) {
            violations.add(new Violation(
                    "InvalidName",
                    "a Nodepool's name labels its instance pool and machines, so it "
                            + "has at most " + DerivedNames.DNS_LABEL_MAX
                            + " characters; delete this Nodepool and create it again "
                            + "under a shorter name (names cannot change)"));
        }
        violations.addAll(validate(nodepool.getSpec(), status));
        return violations;
    }

    public List<Violation> validate(NodepoolSpec spec, NodepoolStatus status) {
        List<Violation> violations = new ArrayList<>();
        if (spec == null) {
            violations.add(
                    new Violation("SpecMissing", "the Nodepool has no spec; set cluster, size and instanceType"));
            return violations;
        }
        if (status != null && status.cluster != null && !status.cluster.equals(spec.cluster)) {
            violations.add(new Violation(
                    "ClusterImmutable",
                    "spec.cluster cannot change from " + status.cluster + " to " + Values.quoted(spec.cluster)
                            + "; set it back, or create a new Nodepool for the other cluster"));
        }
        if (spec.size == null || spec.size < 0) {
            violations.add(new Violation("InvalidSize", "spec.size must be 0 or more"));
        }
        checkInstanceType(spec.instanceType, violations);
        checkLifecycle(spec, violations);
        int disk = Defaults.diskSize(spec);
        if (disk < MIN_DISK_GIB || disk > MAX_DISK_GIB) {
            violations.add(new Violation(
                    "InvalidDiskSize",
                    "spec.diskSize " + disk + " GiB is outside " + MIN_DISK_GIB + ".." + MAX_DISK_GIB));
        }
        for (Map.Entry<String, String> label : Defaults.labels(spec).entrySet()) {
            if (Values.isLabelKey(label.getKey()) && !kubeletMaySet(label.getKey())) {
                violations.add(
                        new Violation(
                                "InvalidLabel",
                                "spec.labels key '" + label.getKey()
                                        + "' is in a namespace the kubelet may not register (kubernetes.io, k8s.io, or the operator's own "
                                        + "sks.operator.dev); use another prefix, or node.kubernetes.io/ or kubelet.kubernetes.io/"));
            } else if (!Values.isLabelKey(label.getKey())) {
                violations.add(
                        new Violation(
                                "InvalidLabel",
                                "spec.labels key '" + label.getKey()
                                        + "' is not a valid label key ([prefix/]name, name at most 63 characters of [A-Za-z0-9-_.])"));
            } else if (!Values.isLabelValue(label.getValue())) {
                violations.add(new Violation(
                        "InvalidLabel",
                        "spec.labels value of '" + label.getKey()
                                + "' is not a valid label value (at most 63 characters of [A-Za-z0-9-_.])"));
            }
        }
        for (NodepoolTaint taint : Defaults.taints(spec)) {
            if (!Values.isLabelKey(taint.key)) {
                violations.add(new Violation("InvalidTaint", "spec.taints key '" + taint.key + "' is not a valid key"));
            } else if (!Values.isLabelValue(taint.value)) {
                violations.add(new Violation("InvalidTaint", "spec.taints value of '" + taint.key + "' is not valid"));
            } else if (taint.effect == null) {
                violations.add(new Violation(
                        "InvalidTaint",
                        "spec.taints '" + taint.key + "' needs an effect: NoSchedule, PreferNoSchedule or NoExecute"));
            }
        }
        return violations;
    }

    /**
     * The NodeRestriction admission plugin refuses node labels under kubernetes.io and k8s.io except a few; a node
     * that registers with one never joins. The operator's own prefix carries the nodepool id and is reserved too.
     */
    static boolean kubeletMaySet(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return true;
        }
        String prefix = key.substring(0, slash);
        if (prefix.equals("sks.operator.dev")) {
            return false;
        }
        boolean restricted = prefix.equals("kubernetes.io")
                || prefix.endsWith(".kubernetes.io")
                || prefix.equals("k8s.io")
                || prefix.endsWith(".k8s.io");
        return !restricted
                || prefix.equals("node.kubernetes.io")
                || prefix.endsWith(".node.kubernetes.io")
                || prefix.equals("kubelet.kubernetes.io")
                || prefix.endsWith(".kubelet.kubernetes.io")
                || KUBELET_LABELS.contains(key);
    }

    private static final java.util.Set<String> KUBELET_LABELS = java.util.Set.of(
            "kubernetes.io/hostname",
            "kubernetes.io/arch",
            "kubernetes.io/os",
            "topology.kubernetes.io/region",
            "topology.kubernetes.io/zone",
            "node.kubernetes.io/instance-type");

    private void checkInstanceType(String name, List<Violation> violations) {
        Optional<InstanceType> type = name == null ? Optional.empty() : instanceTypes.find(name);
        if (type.isEmpty()) {
            violations.add(new Violation(
                    "InstanceTypeNotFound",
                    "spec.instanceType " + Values.quoted(name)
                            + " is not in the instance type catalog; use one such as standard.medium"));
        } else if (!type.get().canRunNode()) {
            violations.add(new Violation(
                    "InstanceTypeTooSmall",
                    "spec.instanceType " + name + " has "
                            + type.get().memoryMiB() + " MiB of memory; a node needs at least "
                            + InstanceType.MINIMUM_NODE_MEMORY_MIB
                            + " MiB: use standard.small or larger"));
        }
    }

    /** What CEL rejects on 1.25+ servers, for the older ones; and what no schema can say (durations, percentages). */
    private static void checkLifecycle(NodepoolSpec spec, List<Violation> violations) {
        if (Defaults.maxSurge(spec) == 0 && Defaults.maxUnavailable(spec) == 0) {
            violations.add(new Violation(
                    "InvalidUpgrade",
                    "spec.upgrade.maxSurge and maxUnavailable are both 0, so no machine could ever be replaced; set "
                            + "maxSurge to 1 (a machine is added before one goes) or maxUnavailable to 1"));
        }
        if (Durations.parseShort(Defaults.drainTimeout(spec)).isEmpty()) {
            violations.add(new Violation(
                    "InvalidDrainTimeout",
                    "spec.drainTimeout " + Values.quoted(spec.drainTimeout) + " is not a duration such as 10m or 1h"));
        }
        if (Durations.parseShort(Defaults.unhealthyAfter(spec)).isEmpty()) {
            violations.add(new Violation(
                    "InvalidAutoRepair",
                    "spec.autoRepair.unhealthyAfter " + Values.quoted(Defaults.unhealthyAfter(spec))
                            + " is not a duration such as 10m or 1h"));
        }
        if (HealthCheck.maxUnhealthy(Defaults.maxUnhealthy(spec), 1).isEmpty()) {
            violations.add(new Violation(
                    "InvalidAutoRepair",
                    "spec.autoRepair.maxUnhealthy " + Values.quoted(Defaults.maxUnhealthy(spec))
                            + " is neither a count (3) nor a percentage from 0% to 100% (40%)"));
        }
        if (spec.autoscaling != null) {
            Integer min = spec.autoscaling.minSize;
            Integer max = spec.autoscaling.maxSize;
            if (min == null || max == null || min < 0 || max < min) {
                violations.add(new Violation(
                        "InvalidAutoscaling",
                        "spec.autoscaling needs minSize and maxSize with 0 <= minSize <= maxSize (now " + min + " and "
                                + max + ")"));
            } else if (spec.size != null && (spec.size < min || spec.size > max)) {
                violations.add(new Violation(
                        "InvalidAutoscaling",
                        "spec.size " + spec.size + " is outside spec.autoscaling's " + min + ".." + max
                                + "; set a size within the bounds, or change them"));
            }
        }
    }
}
