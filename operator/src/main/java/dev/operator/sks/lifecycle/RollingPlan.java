package dev.operator.sks.lifecycle;

import dev.operator.sks.api.UpgradeStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The next step of a pool toward spec.size machines of the current revision, one step per reconcile, as the Deployment
 * controller rolls ReplicaSets: machines whose drain is done are removed first; then, while machines of an old
 * revision remain (strategy Replace), new ones are added up to {@code size + maxSurge} and old ones drained only
 * while the Ready machines left stay at {@code size - maxUnavailable} or more; without old machines, the pool grows to
 * size, or drains the machines {@link ScaleDown} picks. Pure: the reconciler carries the step out and asks again.
 *
 * <p>The pool's provider size must follow the steps: {@link Grow} raises it by the count, {@link Remove} evicts the
 * named machines (which lowers it by their number), and every other step keeps it at the machines that exist.
 */
public final class RollingPlan {
    /** A new machine whose Node is not Ready this long stops a replacement: something is wrong with the new revision. */
    public static final Duration STUCK_AFTER = Duration.ofMinutes(15);

    private RollingPlan() {}

    /**
     * What the plan reads.
     *
     * @param size spec.size
     * @param machines the pool's machines (draining ones included)
     * @param draining machines being drained, by name: whether their drain is done (Drained or TimedOut)
     * @param nodesKnown whether the tenant's Nodes were read: when not, readiness is unknown and nothing is drained
     */
    public record Inputs(
            int size,
            UpgradeStrategy strategy,
            int maxSurge,
            int maxUnavailable,
            List<Machine> machines,
            Map<String, Boolean> draining,
            boolean nodesKnown,
            Instant now,
            Duration stuckAfter) {
        public Inputs {
            machines = List.copyOf(machines);
            draining = Map.copyOf(draining);
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(now, "now");
        }
    }

    /** One step of the plan. */
    public sealed interface Step {}

    /** Evict these machines, whose drain is done. */
    public record Remove(List<String> machines) implements Step {}

    /** Add this many machines (of the current revision, as every new machine is). */
    public record Grow(int count) implements Step {}

    /** Start draining these machines, which go once drained. */
    public record Drain(List<String> machines, DrainReason reason) implements Step {}

    /** Nothing to do until something changes: {@code why} says what is awaited. */
    public record Wait(String why) implements Step {}

    /** A new machine's Node did not become Ready in time: the replacement stops until a person looks. */
    public record Stuck(String machine, String why) implements Step {}

    /** The pool has size machines of the current revision, none draining. */
    public record Settled() implements Step {}

    public static Step next(Inputs in) {
        List<Machine> members = in.machines();
        List<String> removable = members.stream()
                .filter(m -> Boolean.TRUE.equals(in.draining().get(m.name())))
                .map(Machine::name)
                .sorted()
                .toList();
        if (!removable.isEmpty()) {
            return new Remove(removable);
        }
        List<Machine> active = members.stream()
                .filter(m -> !in.draining().containsKey(m.name()))
                .toList();
        int drainingCount = members.size() - active.size();
        boolean rollout = replacing(in.strategy(), active);
        if (rollout) {
            Optional<Machine> stuck = stuck(active, in.now(), in.stuckAfter());
            if (stuck.isPresent()) {
                Machine m = stuck.get();
                return new Stuck(
                        m.name(),
                        "new machine " + m.name() + " has had no Ready Node for "
                                + minutes(m.notReadyFor(in.now())) + " (more than " + minutes(in.stuckAfter())
                                + "): the replacement stops; check the machine's image and instance type, or evict it");
            }
        }
        // Grow toward size machines of the current revision, never above size + maxSurge machines in all (a
        // pool with nothing to replace grows to size at once: maxSurge bounds a replacement, not a scale-up).
        int newCount = rollout ? (int) active.stream().filter(Machine::current).count() : active.size();
        int room = rollout ? in.size() + in.maxSurge() - members.size() : in.size() - active.size();
        int grow = Math.min(in.size() - newCount, room);
        if (grow > 0) {
            return new Grow(grow);
        }
        if (!rollout) {
            // A scale-down is asked for: it goes on even when the Nodes cannot be read (the drain then runs out of
            // time), choosing by what was last known.
            int excess = active.size() - in.size();
            if (excess > 0) {
                return new Drain(ScaleDown.choose(active, excess), DrainReason.ScaleDown);
            }
        } else if (!in.nodesKnown()) {
            // Unknown readiness looks like none: a replacement would drain Ready machines it takes for broken ones.
            return new Wait("the tenant cluster's Nodes cannot be read, so no machine is replaced");
        } else {
            List<String> drain = replaceable(in, active, drainingCount);
            if (!drain.isEmpty()) {
                return new Drain(drain, DrainReason.Replace);
            }
        }
        if (drainingCount > 0) {
            return new Wait("draining "
                    + String.join(", ", in.draining().keySet().stream().sorted().toList()));
        }
        if (rollout) {
            List<String> waitingFor = active.stream()
                    .filter(m -> m.current() && !m.ready())
                    .map(Machine::name)
                    .sorted()
                    .toList();
            return new Wait(
                    waitingFor.isEmpty()
                            ? "replacing machines: " + Math.max(0, in.size() - in.maxUnavailable())
                                    + " Ready machines must remain"
                            : "waiting for the Nodes of " + String.join(", ", waitingFor) + " to be Ready");
        }
        return new Settled();
    }

    /** Whether machines of an old revision are to be replaced. */
    public static boolean replacing(UpgradeStrategy strategy, List<Machine> machines) {
        return strategy == UpgradeStrategy.Replace && machines.stream().anyMatch(m -> !m.current());
    }

    /**
     * The machines of the current revision that have had no Ready Node for longer than {@code stuckAfter} while a
     * replacement runs: they are the replacement's own, judged by it (not repaired over and over).
     */
    public static Set<String> newAndNotReady(UpgradeStrategy strategy, List<Machine> machines) {
        if (!replacing(strategy, machines)) {
            return Set.of();
        }
        return Set.copyOf(machines.stream()
                .filter(m -> m.current() && !m.ready())
                .map(Machine::name)
                .toList());
    }

    private static Optional<Machine> stuck(List<Machine> active, Instant now, Duration stuckAfter) {
        return ScaleDown.ordered(active).stream()
                .filter(m -> m.current() && !m.ready() && m.notReadyFor(now).compareTo(stuckAfter) > 0)
                .findFirst();
    }

    /**
     * The old machines to drain now: those without a Ready Node (they serve nothing), and Ready ones only while the
     * Ready machines left stay at size - maxUnavailable or more; at most maxSurge + maxUnavailable drains at once, so a
     * tenant whose Nodes all look not Ready never loses the whole pool in one go.
     */
    private static List<String> replaceable(Inputs in, List<Machine> active, int drainingCount) {
        int slots = Math.max(1, in.maxSurge() + in.maxUnavailable()) - drainingCount;
        int readyBudget = (int) active.stream().filter(Machine::ready).count() - (in.size() - in.maxUnavailable());
        List<String> drain = new ArrayList<>();
        for (Machine m : ScaleDown.ordered(active)) {
            if (drain.size() >= slots) {
                break;
            }
            if (m.current()) {
                continue;
            }
            if (!m.ready()) {
                drain.add(m.name());
            } else if (readyBudget > 0) {
                drain.add(m.name());
                readyBudget--;
            }
        }
        return drain;
    }

    private static String minutes(Duration d) {
        long m = d.toMinutes();
        return m >= 1 ? m + " min" : d.toSeconds() + " s";
    }
}
