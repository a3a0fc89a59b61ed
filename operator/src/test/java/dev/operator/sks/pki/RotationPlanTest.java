package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.pki.RotationPlan.Held;
import dev.operator.sks.pki.RotationPlan.Observation;
import dev.operator.sks.pki.RotationPlan.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RotationPlanTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    static Observation observe(
            Held held, String requested, String handled, Phase reported, boolean settled, Instant until) {
        return new Observation(
                held,
                Optional.ofNullable(requested),
                Optional.ofNullable(handled),
                Optional.ofNullable(reported),
                settled,
                Optional.ofNullable(until),
                NOW);
    }

    @Test
    void nothingAskedNothingDone() {
        assertThat(RotationPlan.next(observe(Held.ONE, null, null, null, true, null)))
                .isEqualTo(new RotationPlan.Idle());
        // The value the key was made for: asked once, done once, however often reconciled.
        assertThat(RotationPlan.next(observe(Held.ONE, "v1", "v1", null, true, null)))
                .isEqualTo(new RotationPlan.Idle());
        assertThat(RotationPlan.next(observe(Held.ONE, " ", null, null, true, null)))
                .isEqualTo(new RotationPlan.Idle());
    }

    @Test
    void aNewValueBeginsEvenWhileTheControlPlaneRolls() {
        // Trusting one more CA breaks nothing: beginning need not wait.
        assertThat(RotationPlan.next(observe(Held.ONE, "v2", "v1", null, false, null)))
                .isEqualTo(new RotationPlan.Begin("v2"));
        assertThat(RotationPlan.next(observe(Held.ONE, "v1", null, null, true, null)))
                .isEqualTo(new RotationPlan.Begin("v1"));
        assertThat(new RotationPlan.Begin("v1").phase()).contains(Phase.TRUSTING_NEW);
    }

    @Test
    void eachPhaseWaitsForTheRolloutOfThePrevious() {
        assertThat(RotationPlan.next(observe(Held.OLD_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.TRUSTING_NEW, false, null)))
                .isEqualTo(new RotationPlan.Wait(Phase.TRUSTING_NEW, Optional.empty()));
        assertThat(RotationPlan.next(
                        observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.SIGNING_WITH_NEW, false, null)))
                .isEqualTo(new RotationPlan.Wait(Phase.SIGNING_WITH_NEW, Optional.empty()));
        assertThat(RotationPlan.next(observe(Held.ONE, "v1", "v1", Phase.REMOVING_OLD, false, null)))
                .isEqualTo(new RotationPlan.Wait(Phase.REMOVING_OLD, Optional.empty()));
    }

    @Test
    void aRolledOutPhaseStepsOn() {
        assertThat(RotationPlan.next(observe(Held.OLD_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.TRUSTING_NEW, true, null)))
                .isEqualTo(new RotationPlan.Promote());
        assertThat(RotationPlan.next(
                        observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.SIGNING_WITH_NEW, true, null)))
                .isEqualTo(new RotationPlan.RetireOld());
        assertThat(RotationPlan.next(observe(Held.ONE, "v1", "v1", Phase.REMOVING_OLD, true, null)))
                .isEqualTo(new RotationPlan.Finish());
        assertThat(new RotationPlan.Finish().phase()).isEmpty();
    }

    @Test
    void aRestartInTheMiddleResumesFromTheSecretWhateverStatusSays() {
        // Status lost (or never written) after a step: the Secret says where the rotation is.
        assertThat(RotationPlan.next(observe(Held.OLD_SIGNS_BOTH_TRUSTED, "v1", "v1", null, true, null)))
                .isEqualTo(new RotationPlan.Promote());
        assertThat(RotationPlan.next(observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", null, true, null)))
                .isEqualTo(new RotationPlan.RetireOld());
        // A status that still says an earlier phase once the old key is gone: only the last rollout is left.
        assertThat(RotationPlan.next(observe(Held.ONE, "v1", "v1", Phase.SIGNING_WITH_NEW, false, null)))
                .isEqualTo(new RotationPlan.Wait(Phase.REMOVING_OLD, Optional.empty()));
    }

    @Test
    void aNewValueDuringARotationWaitsForItToFinish() {
        assertThat(RotationPlan.next(observe(Held.OLD_SIGNS_BOTH_TRUSTED, "v2", "v1", Phase.TRUSTING_NEW, false, null)))
                .isEqualTo(new RotationPlan.Wait(Phase.TRUSTING_NEW, Optional.empty()));
        assertThat(RotationPlan.next(observe(Held.ONE, "v2", "v1", Phase.REMOVING_OLD, true, null)))
                .isEqualTo(new RotationPlan.Finish());
        assertThat(RotationPlan.next(observe(Held.ONE, "v2", "v1", null, true, null)))
                .isEqualTo(new RotationPlan.Begin("v2"));
    }

    @Test
    void theOldServiceAccountKeyStaysTrustedUntilItsTokensHaveExpired() {
        Instant until = NOW.plus(Duration.ofHours(1));
        assertThat(RotationPlan.next(
                        observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.SIGNING_WITH_NEW, true, until)))
                .isEqualTo(new RotationPlan.Wait(Phase.SIGNING_WITH_NEW, Optional.of(until)));
        assertThat(RotationPlan.next(
                        observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.SIGNING_WITH_NEW, true, NOW)))
                .isEqualTo(new RotationPlan.RetireOld());
        // Time alone is not enough: the rollout is awaited too.
        assertThat(RotationPlan.next(
                        observe(Held.NEW_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.SIGNING_WITH_NEW, false, NOW)))
                .isEqualTo(new RotationPlan.Wait(Phase.SIGNING_WITH_NEW, Optional.empty()));
    }

    @Test
    void theClusterCaSignsOnlyOnceNoMachineTrustsTheOldOneAlone() {
        Observation rolledOut = observe(Held.OLD_SIGNS_BOTH_TRUSTED, "v1", "v1", Phase.TRUSTING_NEW, true, null);
        Optional<String> why = Optional.of("waiting for 1 of 2 machines of pool a to be replaced");
        Observation held = new Observation(
                rolledOut.held(),
                rolledOut.requested(),
                rolledOut.handled(),
                rolledOut.reported(),
                true,
                Optional.empty(),
                NOW,
                why);
        assertThat(RotationPlan.next(held)).isEqualTo(new RotationPlan.Wait(Phase.TRUSTING_NEW, Optional.empty(), why));
        // With the pools replaced (or none), the control plane's rollout alone decides, as for any other key.
        assertThat(RotationPlan.next(rolledOut)).isEqualTo(new RotationPlan.Promote());
        // The machines never hold back a later phase: they trust the new CA already.
        Observation signing = new Observation(
                Held.NEW_SIGNS_BOTH_TRUSTED,
                Optional.of("v1"),
                Optional.of("v1"),
                Optional.of(Phase.SIGNING_WITH_NEW),
                true,
                Optional.empty(),
                NOW,
                why);
        assertThat(RotationPlan.next(signing)).isEqualTo(new RotationPlan.RetireOld());
        // Nor does it start a rotation later: trusting one more CA breaks nothing.
        Observation asked = new Observation(
                Held.ONE, Optional.of("v2"), Optional.of("v1"), Optional.empty(), true, Optional.empty(), NOW, why);
        assertThat(RotationPlan.next(asked)).isEqualTo(new RotationPlan.Begin("v2"));
    }
}
