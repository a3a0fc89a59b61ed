package dev.operator.sks.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Whether a cluster is backed up, and whether a backup is due now: pure, over what the cluster, its status and the
 * work in flight say. The next time follows the schedule from the last attempt (or the cluster's creation), so an
 * operator that was down at the scheduled time takes the backup as soon as it is back; a failed attempt is tried again
 * after {@link #RETRY_AFTER_FAILURE} unless the schedule comes sooner. A new value of the backup-now annotation takes
 * one at once.
 */
public final class BackupPlan {
    public static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(10);
    /** While a backup runs, how soon the reconcile looks for its outcome. */
    public static final Duration RUNNING_POLL = Duration.ofSeconds(5);

    /** What is observed. */
    public record Observed(
            boolean wanted,
            boolean storeConfigured,
            String schedule,
            Instant created,
            Optional<Instant> lastSuccess,
            Optional<Instant> lastFailure,
            Optional<String> requested,
            Optional<String> lastRequest,
            boolean etcdReady,
            boolean running) {}

    public sealed interface Decision {
        /** When to look again with nothing else happening. */
        default Optional<Duration> lookAgain() {
            return Optional.empty();
        }
    }

    /** Starter without spec.backup. */
    public record NotWanted() implements Decision {}

    /** Wanted, but the operator has no object store. */
    public record StoreMissing() implements Decision {}

    /** spec.backup.schedule cannot be read. */
    public record InvalidSchedule(String problem) implements Decision {}

    /** A backup is running; its outcome is looked for soon. */
    public record Running(Optional<Instant> next) implements Decision {
        @Override
        public Optional<Duration> lookAgain() {
            return Optional.of(RUNNING_POLL);
        }
    }

    /** Nothing to do until {@code next}; {@code etcdNotReady} when one was due but etcd does not run. */
    public record Waiting(Optional<Instant> next, boolean etcdNotReady, Optional<Duration> lookAgain)
            implements Decision {}

    /** Take one now; {@code request} is the backup-now value it answers, if any. */
    public record Due(Optional<String> request, Optional<Instant> next) implements Decision {
        @Override
        public Optional<Duration> lookAgain() {
            return Optional.of(RUNNING_POLL);
        }
    }

    private BackupPlan() {}

    public static Decision decide(Observed o, Instant now) {
        if (!o.wanted()) {
            return new NotWanted();
        }
        if (!o.storeConfigured()) {
            return new StoreMissing();
        }
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(o.schedule());
        } catch (IllegalArgumentException e) {
            return new InvalidSchedule(e.getMessage());
        }
        Optional<Instant> next = next(o, schedule);
        if (o.running()) {
            return new Running(next);
        }
        boolean requested = o.requested().isPresent() && !o.requested().equals(o.lastRequest());
        boolean scheduledDue = next.isPresent() && !now.isBefore(next.get());
        if (!requested && !scheduledDue) {
            return new Waiting(
                    next, false, next.map(n -> Duration.between(now, n).plusSeconds(1)));
        }
        if (!o.etcdReady()) {
            // Not counted as a failure: a cluster that is starting or upgrading is backed up once etcd runs.
            return new Waiting(next, true, Optional.of(Duration.ofMinutes(1)));
        }
        return new Due(requested ? o.requested() : Optional.empty(), schedule.next(now));
    }

    private static Optional<Instant> next(Observed o, CronSchedule schedule) {
        Instant lastAttempt = Stream.concat(o.lastSuccess().stream(), o.lastFailure().stream())
                .max(Instant::compareTo)
                .orElse(o.created());
        Optional<Instant> scheduled = schedule.next(lastAttempt);
        boolean lastFailed = o.lastFailure().isPresent()
                && o.lastSuccess().map(s -> s.isBefore(o.lastFailure().get())).orElse(true);
        if (lastFailed) {
            Instant retry = o.lastFailure().get().plus(RETRY_AFTER_FAILURE);
            return Optional.of(scheduled.filter(s -> s.isBefore(retry)).orElse(retry));
        }
        return scheduled;
    }
}
