package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Current;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Issue;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Retire;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Stored;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CcmCredentialsPlanTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void aClusterWithoutAKeyGetsOne() {
        assertThat(CcmCredentialsPlan.next(Optional.empty(), "", NOW)).isEqualTo(new Issue("", List.of()));
    }

    @Test
    void theKeyAskedForIsCurrent() {
        assertThat(CcmCredentialsPlan.next(Optional.of(new Stored("EXO1", "", List.of())), "", NOW))
                .isEqualTo(new Current());
    }

    @Test
    void aNewRotationValueMakesANewKeyAndRetiresTheStoredOnesAfterwards() {
        Stored stored = new Stored("EXO2", "1", List.of("EXO1"));

        assertThat(CcmCredentialsPlan.next(Optional.of(stored), "2", NOW))
                .isEqualTo(new Issue("2", List.of("EXO1", "EXO2")));
    }

    @Test
    void replacedKeysLeftByAnInterruptedRotationAreRevoked() {
        Stored stored = new Stored("EXO2", "1", List.of("EXO1"));

        assertThat(CcmCredentialsPlan.next(Optional.of(stored), "1", NOW)).isEqualTo(new Retire(List.of("EXO1")));
    }

    @Test
    void credentialsThatExpireAreMadeAnewOnceTheirRenewalTimeHasCome() {
        Stored token = new Stored("token-1", "", List.of(), Optional.of(NOW.plusSeconds(1)));
        Stored due = new Stored("token-1", "", List.of(), Optional.of(NOW));

        assertThat(CcmCredentialsPlan.next(Optional.of(token), "", NOW)).isEqualTo(new Current());
        assertThat(CcmCredentialsPlan.next(Optional.of(due), "", NOW))
                .isEqualTo(new Issue("", List.of("token-1"), true));
    }

    @Test
    void aRotationAskedForWhileARenewalIsDueIsARotation() {
        Stored due = new Stored("token-1", "", List.of(), Optional.of(NOW.minusSeconds(60)));

        assertThat(CcmCredentialsPlan.next(Optional.of(due), "r1", NOW))
                .isEqualTo(new Issue("r1", List.of("token-1"), false));
    }

    @Test
    void anUnreadableRenewalTimeRenewsAtOnceRatherThanNever() {
        Stored stored = Stored.from(Map.of(
                        Labels.CCM_CREDENTIALS_KEY_ANNOTATION, "token-1",
                        Labels.CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION, "tomorrow"))
                .orElseThrow();
        Stored written = Stored.from(Map.of(
                        Labels.CCM_CREDENTIALS_KEY_ANNOTATION, "token-1",
                        Labels.CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION, "2026-11-30T16:00:00Z"))
                .orElseThrow();

        assertThat(CcmCredentialsPlan.next(Optional.of(stored), "", NOW)).isInstanceOf(Issue.class);
        assertThat(written.renewAfter()).contains(Instant.parse("2026-11-30T16:00:00Z"));
    }

    @Test
    void theSecretsAnnotationsAreReadBack() {
        Map<String, String> annotations = Map.of(
                Labels.CCM_CREDENTIALS_KEY_ANNOTATION, "EXO2",
                Labels.CCM_CREDENTIALS_ROTATION_ANNOTATION, "1",
                Labels.CCM_RETIRED_KEYS_ANNOTATION, "EXO0, EXO1,");

        Stored stored = Stored.from(annotations).orElseThrow();

        assertThat(stored).isEqualTo(new Stored("EXO2", "1", List.of("EXO0", "EXO1")));
        assertThat(stored.all()).containsExactly("EXO0", "EXO1", "EXO2");
        assertThat(Stored.from(Map.of())).isEmpty();
        assertThat(Stored.from(null)).isEmpty();
        assertThat(CcmCredentialsPlan.wantedRotation(Map.of(Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION, "x")))
                .isEqualTo("x");
        assertThat(CcmCredentialsPlan.wantedRotation(null)).isEmpty();
    }
}
