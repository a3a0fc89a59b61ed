package dev.operator.sks.support;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/** When to look again, when two parts of a reconcile each may want to. */
public final class Durations {
    private Durations() {}

    /** The sooner of two optional delays; empty when neither is set. */
    public static Optional<Duration> sooner(Optional<Duration> one, Optional<Duration> other) {
        return Stream.concat(one.stream(), other.stream()).min(Duration::compareTo);
    }
}
