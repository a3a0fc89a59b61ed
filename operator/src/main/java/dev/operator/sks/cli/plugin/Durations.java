package dev.operator.sks.cli.plugin;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as kubectl's flags write them ({@code 24h}, {@code 1h30m}, {@code 90s}), plus days ({@code 7d}), since
 * kubeconfig lifetimes run to 30 days; a bare number is seconds.
 */
final class Durations {
    private static final Pattern WHOLE = Pattern.compile("^(?:[0-9]+[dhms])+$");
    private static final Pattern PART = Pattern.compile("([0-9]+)([dhms])");

    private Durations() {}

    static Duration parse(String text, String flag) {
        String trimmed = text == null ? "" : text.trim();
        try {
            if (trimmed.matches("^[0-9]+$")) {
                return Duration.ofSeconds(Long.parseLong(trimmed));
            }
            if (!WHOLE.matcher(trimmed).matches()) {
                throw new PluginException(flag + " " + text + " is not a duration: write it as 24h, 30m, 1h30m or 7d");
            }
            Duration total = Duration.ZERO;
            Matcher part = PART.matcher(trimmed);
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(
                        switch (part.group(2)) {
                            case "d" -> Duration.ofDays(amount);
                            case "h" -> Duration.ofHours(amount);
                            case "m" -> Duration.ofMinutes(amount);
                            default -> Duration.ofSeconds(amount);
                        });
            }
            return total;
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            throw new PluginException(flag + " " + text + " is too long");
        }
    }

    /** {@code d} as people read it: {@code 23h59m}, {@code 4m10s}, {@code 3d2h}; never negative. */
    static String human(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        long rest = seconds % 60;
        if (days > 0) {
            return days + "d" + (hours > 0 ? hours + "h" : "");
        }
        if (hours > 0) {
            return hours + "h" + (minutes > 0 ? minutes + "m" : "");
        }
        if (minutes > 0) {
            return minutes + "m" + (rest > 0 ? rest + "s" : "");
        }
        return rest + "s";
    }
}
