package dev.operator.sks.lifecycle;

import java.util.Comparator;
import java.util.List;

/**
 * Which machines go when a pool has more than it needs: deterministically, those without a Ready Node first (they
 * serve nothing), then those of an old revision (they would be replaced anyway), then the newest (the oldest have
 * proven themselves); the name breaks ties so the same pool always loses the same machines.
 */
public final class ScaleDown {
    static final Comparator<Machine> ORDER = Comparator.comparing((Machine m) -> m.ready())
            .thenComparing(Machine::current)
            .thenComparing(Machine::createdAt, Comparator.reverseOrder())
            .thenComparing(Machine::name);

    private ScaleDown() {}

    /** The {@code count} machines of {@code machines} to remove first, in that order. */
    public static List<String> choose(List<Machine> machines, int count) {
        return ordered(machines).stream()
                .limit(Math.max(0, count))
                .map(Machine::name)
                .toList();
    }

    /** {@code machines} in the order they go. */
    public static List<Machine> ordered(List<Machine> machines) {
        return machines.stream().sorted(ORDER).toList();
    }
}
