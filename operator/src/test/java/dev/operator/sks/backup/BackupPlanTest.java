package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a backup is due: the schedule from the last attempt, backup-now once per value, retries, and what stops it. */
class BackupPlanTest {
    static final Instant CREATED = Instant.parse("2026-11-30T10:00:00Z");

    static BackupPlan.Observed observed(
            Optional<Instant> success, Optional<Instant> failure, Optional<String> requested, Optional<String> last) {
        return new BackupPlan.Observed(
                true, true, "30 2 * * *", CREATED, success, failure, requested, last, true, false);
    }

    @Test
    void offWhenNotWantedOrNowhereToGoOrUnreadable() {
        var notWanted = new BackupPlan.Observed(
                false,
                true,
                "30 2 * * *",
                CREATED,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                true,
                false);
        assertThat(BackupPlan.decide(notWanted, CREATED)).isInstanceOf(BackupPlan.NotWanted.class);
        var noStore = new BackupPlan.Observed(
                true,
                false,
                "30 2 * * *",
                CREATED,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                true,
                false);
        assertThat(BackupPlan.decide(noStore, CREATED)).isInstanceOf(BackupPlan.StoreMissing.class);
        var badSchedule = new BackupPlan.Observed(
                true,
                true,
                "30 25 * * *",
                CREATED,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                true,
                false);
        assertThat(BackupPlan.decide(badSchedule, CREATED))
                .isInstanceOfSatisfying(
                        BackupPlan.InvalidSchedule.class,
                        i -> assertThat(i.problem()).contains("hour 25"));
    }

    @Test
    void theScheduleRunsFromTheLastAttemptAndCatchesUpAfterADowntime() {
        var fresh = observed(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(BackupPlan.decide(fresh, CREATED.plusSeconds(60)))
                .isInstanceOfSatisfying(
                        BackupPlan.Waiting.class,
                        w -> assertThat(w.next()).contains(Instant.parse("2026-12-01T02:30:00Z")));
        // The operator was down at 02:30: due as soon as it looks.
        assertThat(BackupPlan.decide(fresh, Instant.parse("2026-12-01T09:00:00Z")))
                .isInstanceOf(BackupPlan.Due.class);
        var done = observed(
                Optional.of(Instant.parse("2026-12-01T02:30:00Z")),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        assertThat(BackupPlan.decide(done, Instant.parse("2026-12-01T09:00:00Z")))
                .isInstanceOf(BackupPlan.Waiting.class);
    }

    @Test
    void backupNowFiresOncePerValue() {
        var asked = observed(Optional.empty(), Optional.empty(), Optional.of("1"), Optional.empty());
        assertThat(BackupPlan.decide(asked, CREATED))
                .isInstanceOfSatisfying(
                        BackupPlan.Due.class, d -> assertThat(d.request()).contains("1"));
        var handled = observed(Optional.of(CREATED), Optional.empty(), Optional.of("1"), Optional.of("1"));
        assertThat(BackupPlan.decide(handled, CREATED.plusSeconds(5))).isInstanceOf(BackupPlan.Waiting.class);
    }

    @Test
    void aFailureIsRetriedSoonAndNothingStartsWhileEtcdIsDownOrOneRuns() {
        Instant failed = Instant.parse("2026-12-01T02:30:05Z");
        var failing = observed(Optional.empty(), Optional.of(failed), Optional.empty(), Optional.empty());
        assertThat(BackupPlan.decide(failing, failed.plusSeconds(60)))
                .isInstanceOfSatisfying(
                        BackupPlan.Waiting.class,
                        w -> assertThat(w.next()).contains(failed.plus(BackupPlan.RETRY_AFTER_FAILURE)));
        assertThat(BackupPlan.decide(failing, failed.plus(Duration.ofMinutes(11))))
                .isInstanceOf(BackupPlan.Due.class);
        var etcdDown = new BackupPlan.Observed(
                true,
                true,
                "30 2 * * *",
                CREATED,
                Optional.empty(),
                Optional.empty(),
                Optional.of("x"),
                Optional.empty(),
                false,
                false);
        assertThat(BackupPlan.decide(etcdDown, CREATED))
                .isInstanceOfSatisfying(
                        BackupPlan.Waiting.class,
                        w -> assertThat(w.etcdNotReady()).isTrue());
        var running = new BackupPlan.Observed(
                true,
                true,
                "30 2 * * *",
                CREATED,
                Optional.empty(),
                Optional.empty(),
                Optional.of("x"),
                Optional.empty(),
                true,
                true);
        assertThat(BackupPlan.decide(running, CREATED)).isInstanceOf(BackupPlan.Running.class);
    }
}
