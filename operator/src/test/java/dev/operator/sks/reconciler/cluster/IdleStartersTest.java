package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Level;
import dev.operator.sks.reconciler.cluster.IdleStarters.Counting;
import dev.operator.sks.reconciler.cluster.IdleStarters.Decision;
import dev.operator.sks.reconciler.cluster.IdleStarters.Due;
import dev.operator.sks.reconciler.cluster.IdleStarters.Kept;
import dev.operator.sks.reconciler.cluster.IdleStarters.NotCounted;
import dev.operator.sks.reconciler.cluster.IdleStarters.Observed;
import dev.operator.sks.reconciler.cluster.IdleStarters.Warned;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdleStartersTest {
    private static final Duration AFTER = Duration.ofDays(30);
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aNewStarterWithoutNodepoolsCountsFromItsCreationAndIsWarnedAWeekBefore() {
        Decision first = decide(observed(Optional.empty(), Optional.empty(), false), CREATED.plus(days(1)));
        assertThat(first).isEqualTo(new Counting(Optional.of(CREATED), CREATED.plus(days(23))));

        Decision warned = decide(observed(Optional.of(CREATED), Optional.empty(), true), CREATED.plus(days(23)));
        assertThat(warned).isEqualTo(new Warned(Optional.of(CREATED), CREATED.plus(days(30)), true));
        assertThat(warned.lookAgainAt()).contains(CREATED.plus(days(30)));

        Decision still = decide(
                observed(Optional.of(CREATED), Optional.of(CREATED.plus(days(30))), true), CREATED.plus(days(29)));
        assertThat(still).isEqualTo(new Warned(Optional.of(CREATED), CREATED.plus(days(30)), false));

        Decision due = decide(
                observed(Optional.of(CREATED), Optional.of(CREATED.plus(days(30))), true), CREATED.plus(days(30)));
        assertThat(due).isEqualTo(new Due(Optional.of(CREATED), CREATED.plus(days(30))));
    }

    @Test
    void aClusterSeenBeforeWithoutARecordCountsFromNowSoAnUpgradedOperatorDeletesNothingAtOnce() {
        Instant now = CREATED.plus(days(400));

        assertThat(decide(observed(Optional.empty(), Optional.empty(), true), now))
                .isEqualTo(new Counting(Optional.of(now), now.plus(days(23))));
    }

    @Test
    void anOldClusterFirstSeenIsWarnedAFullWeekBeforeItsDeletion() {
        Instant now = CREATED.plus(days(400));

        assertThat(decide(observed(Optional.empty(), Optional.empty(), false), now))
                .isEqualTo(new Warned(Optional.of(CREATED), now.plus(days(7)), true));
    }

    @Test
    void aDeletionOnceScheduledIsKeptWhenTheSettingShortens() {
        Instant scheduled = CREATED.plus(days(30));
        Decision decision = IdleStarters.decide(
                observed(Optional.of(CREATED), Optional.of(scheduled), true), CREATED.plus(days(24)), days(10));

        assertThat(decision).isEqualTo(new Warned(Optional.of(CREATED), scheduled, false));
    }

    @Test
    void aNodepoolProOrTheSettingOffStopTheCountAndClearTheRecord() {
        Observed withPool = new Observed(
                Level.STARTER, false, 1, Optional.of(CREATED), Optional.of(CREATED.plus(days(30))), true, CREATED);
        Observed pro = new Observed(Level.PRO, false, 0, Optional.of(CREATED), Optional.empty(), true, CREATED);

        assertThat(decide(withPool, CREATED.plus(days(40)))).isEqualTo(new NotCounted());
        assertThat(decide(pro, CREATED.plus(days(40)))).isEqualTo(new NotCounted());
        assertThat(IdleStarters.decide(
                        observed(Optional.of(CREATED), Optional.empty(), true), CREATED.plus(days(40)), Duration.ZERO))
                .isEqualTo(new NotCounted());
        assertThat(new NotCounted().idleSince()).isEmpty();
        assertThat(new NotCounted().scheduledDeletion()).isEmpty();
    }

    @Test
    void theKeepAnnotationExemptsButKeepsCounting() {
        Observed kept = new Observed(
                Level.STARTER, true, 0, Optional.of(CREATED), Optional.of(CREATED.plus(days(30))), true, CREATED);

        Decision decision = decide(kept, CREATED.plus(days(60)));

        assertThat(decision).isEqualTo(new Kept(Optional.of(CREATED)));
        assertThat(decision.scheduledDeletion()).isEmpty();
        assertThat(decision.lookAgainAt()).isEmpty();
    }

    private static Observed observed(
            Optional<Instant> idleSince, Optional<Instant> scheduled, boolean reconciledBefore) {
        return new Observed(Level.STARTER, false, 0, idleSince, scheduled, reconciledBefore, CREATED);
    }

    private static Decision decide(Observed observed, Instant now) {
        return IdleStarters.decide(observed, now, AFTER);
    }

    private static Duration days(int days) {
        return Duration.ofDays(days);
    }
}
