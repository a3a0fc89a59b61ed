package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.UpgradeStrategy;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.lifecycle.DrainReason;
import dev.operator.sks.lifecycle.HealthCheck;
import dev.operator.sks.lifecycle.Machine;
import dev.operator.sks.lifecycle.RollingPlan;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
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

    /** The Event of a machine whose drain starts. */
    public static String draining(String machine, DrainReason reason) {
        return "Draining machine " + machine + " (cordon, then evict its pods respecting PodDisruptionBudgets) before "
                + "it is removed: " + why(reason);
    }

    /** The Event of an unhealthy machine auto-repair replaces. */
    public static String repairing(Instance machine, Instant now) {
        String since = machine == null || machine.notReadySince == null ? "long" : "since " + machine.notReadySince;
        return "Repairing machine " + (machine == null ? "?" : machine.name) + ": its Node has not been Ready " + since
                + " (longer than spec.autoRepair.unhealthyAfter); it is drained, removed and replaced";
    }

    /** The Event of a drain that ran out of time: the machine goes anyway. */
    public static String drainTimedOut(String machine, Duration timeout, int podsLeft, String detail) {
        return "Draining machine " + machine + " did not finish within spec.drainTimeout (" + timeout.toMinutes()
                + " min): " + podsLeft + " pods were still on it (" + detail + "); it is removed anyway";
    }

    /** The Event reason of a machine removed after its drain. */
    public static String removedReason(DrainReason reason) {
        return switch (reason) {
            case Replace -> "MachineReplaced";
            case Repair -> "MachineRepaired";
            case Evict -> "MachineEvicted";
            case ScaleDown -> "MachineRemoved";
        };
    }

    /** The Event of a machine removed after its drain. */
    public static String removed(String machine, DrainReason reason) {
        return "Removed machine " + machine + " after draining it: " + why(reason);
    }

    /** The Event of machines added. */
    public static String adding(int count, String revision) {
        return "Adding " + count + (count == 1 ? " machine" : " machines") + " of revision " + revision;
    }

    private static String why(DrainReason reason) {
        return switch (reason) {
            case Replace -> "it was made from an old revision and a new machine has taken its place";
            case Repair -> "its Node was not Ready for longer than spec.autoRepair.unhealthyAfter";
            case Evict -> "the " + Labels.EVICT_ANNOTATION + " annotation names it";
            case ScaleDown -> "the pool has more machines than spec.size";
        };
    }

    /** AutoRepair: whether unhealthy machines are being replaced, or why none is. */
    public static PoolCondition autoRepair(HealthCheck.Verdict verdict) {
        if (verdict instanceof HealthCheck.TooManyUnhealthy many) {
            return PoolCondition.isFalse(
                    Conditions.AUTO_REPAIR,
                    "TooManyUnhealthy",
                    many.unhealthy().size() + " machines are unhealthy (" + String.join(", ", many.unhealthy())
                            + "), more than spec.autoRepair.maxUnhealthy allows (" + many.maxUnhealthy()
                            + "): none is replaced, since a fault this wide is rarely the machines' own; check the "
                            + "tenant cluster's network and control plane, or raise maxUnhealthy");
        }
        if (verdict instanceof HealthCheck.Repair repair) {
            return PoolCondition.isTrue(
                    Conditions.AUTO_REPAIR, "Repairing", "replacing " + String.join(", ", repair.machines()));
        }
        return PoolCondition.isTrue(Conditions.AUTO_REPAIR, "Healthy", ((HealthCheck.Healthy) verdict).why());
    }

    /** MachinesUpToDate: whether every machine is made from the current revision, and if not what happens. */
    public static PoolCondition upToDate(UpgradeStrategy strategy, List<Machine> machines, RollingPlan.Step step) {
        long old = machines.stream().filter(m -> !m.current()).count();
        if (step instanceof RollingPlan.Stuck stuck) {
            return PoolCondition.isFalse(Conditions.MACHINES_UP_TO_DATE, "ReplacementStuck", stuck.why());
        }
        if (old == 0) {
            return PoolCondition.isTrue(
                    Conditions.MACHINES_UP_TO_DATE,
                    "UpToDate",
                    "all " + machines.size() + " machines are made from the current revision");
        }
        if (strategy == UpgradeStrategy.OnDelete) {
            return PoolCondition.isFalse(
                    Conditions.MACHINES_UP_TO_DATE,
                    "WaitingForDeletion",
                    old + " of " + machines.size() + " machines are of an old revision; with strategy OnDelete they "
                            + "are replaced only when evicted or repaired");
        }
        String detail = step instanceof RollingPlan.Wait wait ? ": " + wait.why() : "";
        return PoolCondition.isFalse(
                Conditions.MACHINES_UP_TO_DATE,
                "Replacing",
                old + " of " + machines.size() + " machines still to replace" + detail);
    }
}
