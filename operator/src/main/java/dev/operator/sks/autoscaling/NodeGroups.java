package dev.operator.sks.autoscaling;

import dev.operator.sks.api.NodepoolAutoscaling;
import dev.operator.sks.provider.simulated.NodeInitialization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the cluster-autoscaler may do to a node group (a Nodepool with {@code spec.autoscaling}), decided from what the
 * Nodepool and its InstancePool say. Pure: the server looks things up, asks here, and writes what comes back.
 */
public final class NodeGroups {

    private NodeGroups() {}

    /** The autoscaler's bounds of one pool. */
    public record Bounds(int minSize, int maxSize) {
        public Bounds {
            if (minSize < 0 || maxSize < minSize) {
                throw new IllegalArgumentException("bounds [" + minSize + ", " + maxSize + "] are not 0 <= min <= max");
            }
        }

        /**
         * The bounds of {@code autoscaling}, empty when the pool is not autoscaled or its bounds make no sense (the
         * schema refuses min > max; an API server too old for CEL may still store it, and such a pool is then left
         * alone rather than guessed at).
         */
        public static Optional<Bounds> of(NodepoolAutoscaling autoscaling) {
            if (autoscaling == null || autoscaling.minSize == null || autoscaling.maxSize == null) {
                return Optional.empty();
            }
            if (autoscaling.minSize < 0 || autoscaling.maxSize < autoscaling.minSize) {
                return Optional.empty();
            }
            return Optional.of(new Bounds(autoscaling.minSize, autoscaling.maxSize));
        }

        /** {@code size} moved into the bounds: the spec.size the operator keeps for an autoscaled pool. */
        public int clamp(int size) {
            return Math.max(minSize, Math.min(maxSize, size));
        }
    }

    /**
     * One machine of a group as the autoscaler knows it: its provider id is what the machine's Node carries in
     * {@code spec.providerID} once its cloud controller initialized it, and what the autoscaler matches nodes by.
     *
     * @param nodeName the Node the instance registered as; null while none has
     * @param state the provider's state: Starting, Running, Stopping or Failed
     */
    public record Member(String instanceName, String instanceId, String providerId, String nodeName, String state) {
        public Member {
            Objects.requireNonNull(instanceName, "instanceName");
            Objects.requireNonNull(providerId, "providerId");
            nodeName = nodeName == null || nodeName.isEmpty() ? null : nodeName;
        }

        /** Whether a Node registered for it: the machine exists for the autoscaler, and goes only by name. */
        public boolean registered() {
            return nodeName != null;
        }

        /** The Node name it has or will have: kubelets register under the instance's name. */
        public String expectedNodeName() {
            return registered() ? nodeName : instanceName;
        }
    }

    /**
     * A Nodepool as a node group.
     *
     * @param id the Nodepool's stable id ({@code status.id}), the group id the autoscaler sees
     * @param nodepool the Nodepool's name
     * @param targetSize its {@code spec.size}
     * @param members its InstancePool's instances
     */
    public record Group(String id, String nodepool, int targetSize, Bounds bounds, List<Member> members) {
        public Group {
            Objects.requireNonNull(id, "id");
            members = List.copyOf(members);
        }

        /** What the autoscaler logs of a group (NodeGroup.debug): names and numbers, nothing secret. */
        public String debug() {
            return "nodepool " + nodepool + " (id " + id + "): size " + targetSize + ", " + members.size()
                    + " instances, bounds [" + bounds.minSize() + ", " + bounds.maxSize() + "]";
        }
    }

    /**
     * The provider id a Node of this instance carries, as each provider's cloud controller sets it: the simulated
     * provider's own ({@link NodeInitialization#providerId}), Exoscale's CCM {@code exoscale://<instance id>}, KubeVirt's
     * {@code kubevirt://<VM name>} (the VM is named as the instance).
     */
    public static String providerId(String provider, String instancePool, String instanceName, String instanceId) {
        return switch (provider) {
            case "exoscale" -> "exoscale://" + instanceId;
            case "kubevirt" -> "kubevirt://" + instanceName;
            default -> NodeInitialization.PROVIDER_ID_SCHEME + instancePool + "/" + instanceId;
        };
    }

    /**
     * The group a tenant Node belongs to: the one with an instance whose provider id the Node carries, or, while the
     * Node is not initialized yet (no providerID), whose instance registered under the Node's name. A label (such as
     * {@code sks.operator.dev/nodepool-id}) is never enough: anyone who may edit Nodes in the tenant can set one, and
     * the autoscaler would then delete a machine of another pool. Empty: not the autoscaler's (a Node of a pool without
     * autoscaling, or no machine of ours).
     */
    public static Optional<Group> groupFor(String nodeName, String nodeProviderId, List<Group> groups) {
        boolean initialized = nodeProviderId != null && !nodeProviderId.isEmpty();
        for (Group group : groups) {
            for (Member member : group.members()) {
                if (initialized
                        ? member.providerId().equals(nodeProviderId)
                        : member.expectedNodeName().equals(nodeName)) {
                    return Optional.of(group);
                }
            }
        }
        return Optional.empty();
    }

    /** An answer to a size change: the new spec.size, or why not (with the gRPC code family it maps to). */
    public sealed interface SizeChange {}

    /** Write this spec.size (and, for deletions, evict these instances in the same write). */
    public record Resize(int newSize, List<String> evict) implements SizeChange {
        public Resize {
            evict = List.copyOf(evict);
        }
    }

    /** Refused; {@code invalid} for a malformed request, else a precondition (bounds, nodes) not met. */
    public record Refused(boolean invalid, String message) implements SizeChange {}

    /** NodeGroupIncreaseSize: up by {@code delta}, never past maxSize. */
    public static SizeChange increase(Group group, int delta) {
        if (delta <= 0) {
            return new Refused(true, "size increase must be positive, was " + delta);
        }
        long wanted = (long) group.targetSize() + delta;
        if (wanted > group.bounds().maxSize()) {
            return new Refused(
                    false,
                    "size increase too large: desired " + wanted + ", max "
                            + group.bounds().maxSize() + " (nodepool " + group.nodepool() + ")");
        }
        return new Resize((int) wanted, List.of());
    }

    /**
     * NodeGroupDecreaseTargetSize: down by {@code -delta} machines whose Node has not registered (the autoscaler asks
     * this when a scale-up is no longer needed, or timed out); never below the machines with a Node (those go only by
     * name, through {@link #deleteNodes}) nor below minSize. Which unregistered machines go is the pool's scale-down
     * choice.
     */
    public static SizeChange decreaseTarget(Group group, int delta) {
        if (delta >= 0) {
            return new Refused(true, "size decrease must be negative, was " + delta);
        }
        int wanted = group.targetSize() + delta;
        int existing = (int) group.members().stream().filter(Member::registered).count();
        if (wanted < existing) {
            return new Refused(
                    false,
                    "attempt to delete existing nodes: target size " + group.targetSize() + ", delta " + delta
                            + ", existing nodes " + existing + " (nodepool " + group.nodepool() + ")");
        }
        if (wanted < group.bounds().minSize()) {
            return new Refused(
                    false,
                    "size decrease too large: desired " + wanted + ", min "
                            + group.bounds().minSize() + " (nodepool " + group.nodepool() + ")");
        }
        return new Resize(wanted, List.of());
    }

    /**
     * NodeGroupDeleteNodes: exactly these nodes go (evicted by instance name, drained first where the lifecycle does
     * so) and the size drops by as many, never below minSize. Every node must be one of the group's: one that is not
     * refuses the whole request, so nothing of another pool is ever touched. Nodes already being evicted are not
     * counted twice.
     *
     * @param nodes (name, providerID) of each node the autoscaler names
     * @param alreadyEvicting the instances the Nodepool's evict annotation already names
     */
    public static SizeChange deleteNodes(Group group, List<NodeRef> nodes, List<String> alreadyEvicting) {
        if (nodes.isEmpty()) {
            return new Refused(true, "no nodes to delete");
        }
        Set<String> instances = new LinkedHashSet<>();
        for (NodeRef node : nodes) {
            Optional<Member> member = memberFor(group, node);
            if (member.isEmpty()) {
                return new Refused(
                        true,
                        "node " + node.name() + " is not in node group " + group.id() + " (nodepool " + group.nodepool()
                                + ")");
            }
            instances.add(member.get().instanceName());
        }
        List<String> fresh = new ArrayList<>();
        for (String instance : instances) {
            if (!alreadyEvicting.contains(instance)) {
                fresh.add(instance);
            }
        }
        int wanted = group.targetSize() - fresh.size();
        if (wanted < group.bounds().minSize()) {
            return new Refused(
                    false,
                    "min size reached, nodes will not be deleted: size " + group.targetSize() + ", deleting "
                            + fresh.size() + ", min " + group.bounds().minSize() + " (nodepool " + group.nodepool()
                            + ")");
        }
        List<String> evict = new ArrayList<>(alreadyEvicting);
        evict.addAll(fresh);
        return new Resize(wanted, evict);
    }

    /** A node as the autoscaler names it. */
    public record NodeRef(String name, String providerId) {}

    private static Optional<Member> memberFor(Group group, NodeRef node) {
        return groupFor(node.name(), node.providerId(), List.of(group))
                .flatMap(g -> g.members().stream()
                        .filter(m ->
                                node.providerId() != null && !node.providerId().isEmpty()
                                        ? m.providerId().equals(node.providerId())
                                        : m.expectedNodeName().equals(node.name()))
                        .findFirst());
    }
}
