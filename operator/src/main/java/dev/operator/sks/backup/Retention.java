package dev.operator.sks.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which backups go after a new one is uploaded: those beyond the newest {@code count}, and those older than
 * {@code maxAge}. The newest backup is always kept, however old: a cluster whose backups have been failing for longer
 * than {@code maxAge} still has one to restore from.
 */
public final class Retention {
    private Retention() {}

    /**
     * @param taken when each backup was taken (one entry per backup, not per object)
     * @param count how many to keep at most; empty: no limit
     * @param maxAge how old a backup may grow; empty: no limit
     * @return the backups to delete, oldest first
     */
    public static List<Instant> expired(
            List<Instant> taken, Optional<Integer> count, Optional<Duration> maxAge, Instant now) {
        List<Instant> newestFirst = new ArrayList<>(taken.stream().distinct().toList());
        newestFirst.sort(Comparator.reverseOrder());
        List<Instant> expired = new ArrayList<>();
        for (int i = 1; i < newestFirst.size(); i++) {
            Instant t = newestFirst.get(i);
            boolean beyondCount = count.isPresent() && i >= Math.max(1, count.get());
            boolean tooOld = maxAge.isPresent() && Duration.between(t, now).compareTo(maxAge.get()) > 0;
            if (beyondCount || tooOld) {
                expired.add(t);
            }
        }
        expired.sort(Comparator.naturalOrder());
        return expired;
    }
}
