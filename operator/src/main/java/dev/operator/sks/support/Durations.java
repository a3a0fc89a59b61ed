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

    /**
     * A duration as {@link #parseShort} reads it back ({@code 30s}, {@code 10m}, {@code 1h30m}; {@code 0s} for zero),
     * whole seconds: for messages that repeat what the user wrote, not {@code 0 min} for 30 seconds.
     */
    public static String formatShort(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0 || text.length() == 0) {
            text.append(seconds % 60).append('s');
        }
        return text.toString();
    }

    private static long group(Matcher m, int group) {
        return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
    }

    /** The sooner of two optional delays; empty when neither is set. */
    public static Optional<Duration> sooner(Optional<Duration> one, Optional<Duration> other) {
        return Stream.concat(one.stream(), other.stream()).min(Duration::compareTo);
    }
}
