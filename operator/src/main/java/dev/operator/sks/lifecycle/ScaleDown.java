package dev.operator.sks.lifecycle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Which machines go when a pool has more than it needs: deterministically, those without a Ready Node first (they
 * serve nothing), then those of an old revision (they would be replaced anyway), then the newest (the oldest have
 * proven themselves). Machines first seen at the same second go by the pool's own order, which lists the oldest first.
 */
public final class ScaleDown {
    static final Comparator<Machine> ORDER = Comparator.comparing((Machine m) -> m.ready())
            .thenComparing(Machine::current)
            .thenComparing(Machine::createdAt, Comparator.reverseOrder());

    private ScaleDown() {}

    /** The {@code count} machines of {@code machines} (oldest first, as the pool lists them) to remove first. */
    public static List<String> choose(List<Machine> machines, int count) {
        return ordered(machines).stream()
                .limit(Math.max(0, count))
                .map(Machine::name)
                .toList();
    }

    /** {@code machines} (oldest first, as the pool lists them) in the order they go. */
    public static List<Machine> ordered(List<Machine> machines) {
        List<Machine> newestListedFirst = new ArrayList<>(machines);
        Collections.reverse(newestListedFirst);
        // A stable sort: ties keep the reversed listing, so the later-listed (newer) machine goes first.
        newestListedFirst.sort(ORDER);
        return List.copyOf(newestListedFirst);
    }
}
