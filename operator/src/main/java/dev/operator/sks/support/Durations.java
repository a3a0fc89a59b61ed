package dev.operator.sks.support;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** When to look again, when two parts of a reconcile each may want to; durations as users write them. */
public final class Durations {
    // Whole hours, minutes and seconds in that order, as the CRD schema's pattern accepts them (10m, 1h30m, 90s).
    private static final Pattern SHORT = Pattern.compile("^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$");

    private Durations() {}

    /** {@code 10m}, {@code 1h30m}, {@code 90s} as a Duration; empty when the text is none of them (or empty). */
    public static Optional<Duration> parseShort(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        Matcher m = SHORT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
            return Optional.of(d);
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static long group(Matcher m, int group) {
        return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
    }

    /** The sooner of two optional delays; empty when neither is set. */
    public static Optional<Duration> sooner(Optional<Duration> one, Optional<Duration> other) {
        return Stream.concat(one.stream(), other.stream()).min(Duration::compareTo);
    }
}
