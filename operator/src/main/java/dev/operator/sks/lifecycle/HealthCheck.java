package dev.operator.sks.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which machines auto-repair replaces, as Cluster API's MachineHealthCheck decides it: a machine whose Node is not
 * Ready (or never registered) for longer than {@code unhealthyAfter} is unhealthy; while no more than
 * {@code maxUnhealthy} of the pool are, they are repaired; beyond that none is, because a fault that wide (a tenant
 * network down, a bad image everywhere) is not fixed by replacing machines, and replacing them all would make it
 * worse. Pure.
 */
public final class HealthCheck {
    private HealthCheck() {}

    /**
     * What the check reads.
     *
     * @param machines the pool's machines that are not draining
     * @param repairing machines already being drained for repair: still unhealthy, so they count against the limit
     * @param exempt machines judged by something else (a replacement's own new machines, see {@link RollingPlan})
     * @param nodesKnown whether the tenant's Nodes were read: when not, no machine is judged
     * @param maxUnhealthy how many may be repaired at once (from a count or a percentage of the pool)
     */
    public record Inputs(
            boolean enabled,
            List<Machine> machines,
            Set<String> repairing,
            Set<String> exempt,
            boolean nodesKnown,
            Duration unhealthyAfter,
            int maxUnhealthy,
            Instant now) {
        public Inputs {
            machines = List.copyOf(machines);
            repairing = Set.copyOf(repairing);
            exempt = Set.copyOf(exempt);
        }
    }

    public sealed interface Verdict {}

    /** Nothing to repair (or auto-repair is off, or the Nodes cannot be read). */
    public record Healthy(String why) implements Verdict {}

    /** Drain, remove and replace these machines. */
    public record Repair(List<String> machines) implements Verdict {}

    /** More machines are unhealthy than may be repaired at once: none is, until fewer are. */
    public record TooManyUnhealthy(List<String> unhealthy, int maxUnhealthy) implements Verdict {}

    public static Verdict decide(Inputs in) {
        if (!in.enabled()) {
            return new Healthy("auto-repair is off (spec.autoRepair.enabled)");
        }
        if (!in.nodesKnown()) {
            return new Healthy("the tenant cluster's Nodes cannot be read, so no machine is judged");
        }
        List<String> unhealthy = in.machines().stream()
                .filter(m -> !in.exempt().contains(m.name()))
                .filter(m -> !m.ready() && m.notReadyFor(in.now()).compareTo(in.unhealthyAfter()) >= 0)
                .map(Machine::name)
                .sorted()
                .toList();
        int count = unhealthy.size() + in.repairing().size();
        if (count > in.maxUnhealthy()) {
            return new TooManyUnhealthy(
                    java.util.stream.Stream.concat(unhealthy.stream(), in.repairing().stream())
                            .sorted()
                            .toList(),
                    in.maxUnhealthy());
        }
        return unhealthy.isEmpty()
                ? new Healthy("every machine has had a Ready Node within "
                        + dev.operator.sks.support.Durations.formatShort(in.unhealthyAfter()))
                : new Repair(unhealthy);
    }

    /**
     * How many machines of a pool of {@code size} may be repaired at once: a count as it is, a percentage of size
     * rounded down (as Cluster API scales it) but at least 1, so a pool of one or two machines can still be repaired.
     * Empty when {@code value} is neither.
     */
    public static Optional<Integer> maxUnhealthy(String value, int size) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.trim();
        try {
            if (text.endsWith("%")) {
                int percent = Integer.parseInt(text.substring(0, text.length() - 1));
                if (percent < 0 || percent > 100) {
                    return Optional.empty();
                }
                return Optional.of(Math.max(1, size * percent / 100));
            }
            int count = Integer.parseInt(text);
            return count < 0 ? Optional.empty() : Optional.of(count);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
