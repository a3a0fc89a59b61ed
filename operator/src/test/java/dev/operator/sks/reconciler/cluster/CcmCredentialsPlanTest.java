package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Current;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Issue;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Retire;
import dev.operator.sks.reconciler.cluster.CcmCredentialsPlan.Stored;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CcmCredentialsPlanTest {

    @Test
    void aClusterWithoutAKeyGetsOne() {
        assertThat(CcmCredentialsPlan.next(Optional.empty(), "")).isEqualTo(new Issue("", List.of()));
    }

    @Test
    void theKeyAskedForIsCurrent() {
        assertThat(CcmCredentialsPlan.next(Optional.of(new Stored("EXO1", "", List.of())), ""))
                .isEqualTo(new Current());
    }

    @Test
    void aNewRotationValueMakesANewKeyAndRetiresTheStoredOnesAfterwards() {
        Stored stored = new Stored("EXO2", "1", List.of("EXO1"));

        assertThat(CcmCredentialsPlan.next(Optional.of(stored), "2"))
                .isEqualTo(new Issue("2", List.of("EXO1", "EXO2")));
    }

    @Test
    void replacedKeysLeftByAnInterruptedRotationAreRevoked() {
        Stored stored = new Stored("EXO2", "1", List.of("EXO1"));

        assertThat(CcmCredentialsPlan.next(Optional.of(stored), "1")).isEqualTo(new Retire(List.of("EXO1")));
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
