package dev.operator.sks.backup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Optional;

/**
 * A five-field cron expression (minute, hour, day of month, month, day of week), read in UTC, as Kubernetes CronJobs
 * read theirs: numbers, {@code *}, ranges {@code a-b}, steps {@code /n} and lists {@code ,}; day of week 0 to 7 with
 * both 0 and 7 Sunday. When both day fields are restricted a day matching either runs, as cron has always done. Pure:
 * the time it is asked about comes from the caller's clock.
 */
public final class CronSchedule {
    /** How far ahead {@link #next} looks: an expression such as "0 0 30 2 *" never fires. */
    static final int SEARCH_YEARS = 5;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronSchedule(String text, String[] fields) {
        this.text = text;
        minutes = field(fields[0], 0, 59, "minute");
        hours = field(fields[1], 0, 23, "hour");
        daysOfMonth = field(fields[2], 1, 31, "day of month");
        months = field(fields[3], 1, 12, "month");
        BitSet dow = field(fields[4], 0, 7, "day of week");
        if (dow.get(7)) {
            dow.set(0);
        }
        daysOfWeek = dow;
        dayOfMonthRestricted = !fields[2].startsWith("*");
        dayOfWeekRestricted = !fields[4].startsWith("*");
    }

    /**
     * @throws IllegalArgumentException saying which field is wrong and why, in words a user can act on
     */
    public static CronSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the schedule is empty");
        }
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("'" + text + "' has " + fields.length
                    + " fields; a schedule has five: minute hour day-of-month month day-of-week");
        }
        return new CronSchedule(text.trim(), fields);
    }

    /** The first time strictly after {@code after}, on a whole minute; empty when none comes within years. */
    public Optional<Instant> next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        LocalDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return Optional.of(t.toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    private static BitSet field(String field, int min, int max, String what) {
        BitSet values = new BitSet(max + 1);
        for (String part : field.split(",", -1)) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, Integer.MAX_VALUE, what, part);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    from = number(range.substring(0, dash), min, max, what, part);
                    to = number(range.substring(dash + 1), min, max, what, part);
                    if (to < from) {
                        throw new IllegalArgumentException(
                                "the " + what + " range '" + part + "' ends before it starts");
                    }
                } else {
                    from = number(range, min, max, what, part);
                    to = slash >= 0 ? max : from;
                }
            }
            for (int v = from; v <= to; v += step) {
                values.set(v);
            }
        }
        return values;
    }

    private static int number(String text, int min, int max, String what, String part) {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "the " + what + " field '" + part + "' is not a number, a range, " + "a list or *");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "the " + what + " " + value + " in '" + part + "' is not between " + min + " and " + max);
        }
        return value;
    }

    @Override
    public String toString() {
        return text;
    }
}
