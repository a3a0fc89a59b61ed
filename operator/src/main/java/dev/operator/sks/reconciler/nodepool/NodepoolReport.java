package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Nodepool's size, ready nodes, state and conditions, from what its InstancePool reports: pure.
 *
 * <p>Ready means every wanted instance runs <em>and</em> has a Ready Node in the tenant cluster. Running machines
 * whose Nodes are not Ready, or cannot be read because the tenant does not answer, leave Ready False with a reason
 * that says which. {@code state} follows the machines alone (Running once they all run), so it is the column that
 * says the machines are there while the Ready column (readyNodes) and condition say whether they joined.
 */
public final class NodepoolReport {
    /** NodesRegistered reasons of a tenant that answers but whose Nodes are not all there yet. */
    private static final Set<String> NODES_ON_THEIR_WAY = Set.of("Registering", "Registered", "WaitingForNodes");

    private NodepoolReport() {}

    /** What the status shows: instances that exist, instances with a Ready Node, the state and the Ready condition. */
    public record Report(int size, int readyNodes, PoolState state, PoolCondition ready) {}

    /**
     * @param instancePool the InstancePool's name
     * @param wanted       the size the served spec asks for
     * @param pool         the InstancePool as observed, if it exists
     * @param previous     the Nodepool's state before this reconcile
     */
    public static Report of(String instancePool, int wanted, Optional<InstancePool> pool, PoolState previous) {
        if (pool.isEmpty() || pool.get().getStatus() == null) {
            return new Report(
                    0,
                    0,
                    PoolState.Creating,
                    PoolCondition.isFalse(
                            Conditions.READY,
                            "Provisioning",
                            "the instance pool " + instancePool + " is being created"));
        }
        InstancePoolStatus status = pool.get().getStatus();
        int size = status.size == null ? 0 : status.size;
        int running = status.runningInstances == null ? 0 : status.runningInstances;
        int readyNodes = readyNodes(status.instances);
        boolean machinesUp = size == wanted && running == wanted;
        PoolState state;
        if (status.state == PoolState.Error) {
            state = PoolState.Error;
        } else if (machinesUp) {
            state = PoolState.Running;
        } else {
            state = previous == PoolState.Running || previous == PoolState.Scaling
                    ? PoolState.Scaling
                    : PoolState.Creating;
        }
        return new Report(size, readyNodes, state, ready(status, wanted, running, readyNodes, machinesUp));
    }

    /** Instances that run and whose Node the last look at the tenant found Ready. */
    static int readyNodes(List<Instance> instances) {
        return instances == null
                ? 0
                : (int) instances.stream()
                        .filter(i -> i.nodeName != null && "Running".equals(i.state))
                        .count();
    }

    private static PoolCondition ready(
            InstancePoolStatus status, int wanted, int running, int readyNodes, boolean machinesUp) {
        Optional<Condition> poolReady = Conditions.find(status.conditions, Conditions.READY);
        if (!machinesUp || status.state == PoolState.Error) {
            // The pool's own words (a provider error, a conflict), else how far the machines are.
            Optional<Condition> trouble = poolReady.filter(
                    c -> Conditions.FALSE.equals(c.getStatus()) && c.getReason() != null && c.getMessage() != null);
            return trouble.map(c -> PoolCondition.isFalse(Conditions.READY, c.getReason(), c.getMessage()))
                    .orElseGet(() -> PoolCondition.isFalse(
                            Conditions.READY, "Converging", running + " of " + wanted + " instances running"));
        }
        if (readyNodes >= wanted) {
            return PoolCondition.isTrue(
                    Conditions.READY,
                    "Running",
                    wanted == 0
                            ? "the pool has no instances (spec.size " + "is 0)"
                            : wanted + " of " + wanted + " instances running, each with a Ready Node");
        }
        Optional<Condition> nodes = Conditions.find(status.conditions, Conditions.NODES_REGISTERED);
        String reason = nodes.map(Condition::getReason).filter(Objects::nonNull).orElse("Registering");
        if (NODES_ON_THEIR_WAY.contains(reason)) {
            return PoolCondition.isFalse(
                    Conditions.READY,
                    "WaitingForNodes",
                    wanted + " of " + wanted + " instances running, " + readyNodes + " of " + wanted
                            + " with a Ready Node in the tenant cluster");
        }
        String why = nodes.map(Condition::getMessage).filter(Objects::nonNull).orElse(reason);
        return PoolCondition.isFalse(
                Conditions.READY,
                reason,
                wanted + " of " + wanted + " instances running, but " + "their Nodes cannot be counted (" + readyNodes
                        + " of " + wanted + " last known Ready): " + why);
    }

    /** UserDataReady: whether new machines have current join material, and if not why. */
    public static PoolCondition userData(JoinMaterial.Outcome outcome) {
        if (outcome instanceof JoinMaterial.Waiting waiting) {
            return PoolCondition.isFalse(Conditions.USER_DATA_READY, waiting.reason(), waiting.message());
        }
        if (outcome instanceof JoinMaterial.Conflicting conflicting) {
            return PoolCondition.isFalse(Conditions.USER_DATA_READY, conflicting.reason(), conflicting.message());
        }
        return PoolCondition.isTrue(
                Conditions.USER_DATA_READY, "Rendered", "new machines boot with a current join token");
    }

    /** Ready of a pool whose InstancePool name is taken by an object the Nodepool did not make. */
    public static PoolCondition instancePoolConflict(String message) {
        return PoolCondition.isFalse(Conditions.READY, NameConflict.REASON, message);
    }

    /** The Event of a size change the Nodepool passes on to its InstancePool. */
    public static String scaled(String instancePool, int from, int to) {
        return "Scaling instance pool " + instancePool + " from " + from + " to " + to
                + " instances, as spec.size asks";
    }

    /** The Event of a size change clamped to the pool's autoscaling bounds. */
    public static String scaledWithinBounds(String instancePool, int from, int to, int asked, int min, int max) {
        return "Scaling instance pool " + instancePool + " from " + from + " to " + to + " instances: spec.size "
                + asked + " is outside spec.autoscaling [" + min + ", " + max + "], so the pool keeps to the bounds "
                + "(the cluster-autoscaler sets spec.size within them)";
    }

    /** The Event of evictions done, when the annotation that asked for them is cleared. */
    public static String evicted(List<String> instances) {
        return "Evicted " + String.join(", ", instances) + " as the " + Labels.EVICT_ANNOTATION
                + " annotation asked; the annotation is cleared and the pool keeps spec.size instances";
    }
}
