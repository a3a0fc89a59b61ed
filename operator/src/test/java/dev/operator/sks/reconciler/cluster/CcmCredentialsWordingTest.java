package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.provider.CloudControllerCredentials.Form;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What CloudCredentialsReady and the Events say for each form of credentials; never the key or the token. */
class CcmCredentialsWordingTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Optional<Instant> RENEW = Optional.of(NOW.plus(Duration.ofHours(16)));

    @Test
    void aStoredTokenSaysWhereItIsCopiedAndWhenItIsRenewed() {
        SKSClusterStatus status = new SKSClusterStatus();
        ClusterStatusReport.cloudCredentials(
                status,
                new CcmCredentials.Stored(Form.SERVICE_ACCOUNT_TOKEN, "token-ab12", true, false, false, 0, RENEW),
                CLOCK);

        var condition = Conditions.find(status.conditions, Conditions.CLOUD_CREDENTIALS_READY)
                .orElseThrow();
        assertThat(condition.getStatus()).isEqualTo(Conditions.TRUE);
        assertThat(condition.getMessage())
                .contains("kube-system/kubevirt-infra-kubeconfig", "2026-12-01T04:00:00Z")
                .doesNotContain("token-ab12", "API key");
    }

    @Test
    void aRefusedTokenSaysWhatTheOperatorNeeds() {
        SKSClusterStatus status = new SKSClusterStatus();
        ClusterStatusReport.cloudCredentials(
                status,
                new CcmCredentials.Failed(Form.SERVICE_ACCOUNT_TOKEN, "ServiceAccount demo-cloud-controller exists"),
                CLOCK);

        var condition = Conditions.find(status.conditions, Conditions.CLOUD_CREDENTIALS_READY)
                .orElseThrow();
        assertThat(condition.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(condition.getReason()).isEqualTo("TokenFailed");
        assertThat(condition.getMessage()).contains("demo-cloud-controller exists", "serviceaccounts/token");
    }

    @Test
    void tokensAreIssuedRenewedAndRotatedButNeverSaidToBeRevoked() {
        assertThat(reasons(new CcmCredentials.Stored(Form.SERVICE_ACCOUNT_TOKEN, "t2", true, false, true, 0, RENEW)))
                .containsExactly(ClusterEvents.CLOUD_CREDENTIALS_RENEWED);
        List<Transition> rotated = ClusterEvents.ccmCredentials(
                new CcmCredentials.Stored(Form.SERVICE_ACCOUNT_TOKEN, "t3", true, true, false, 0, RENEW));
        assertThat(rotated).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(ClusterEvents.CLOUD_CREDENTIALS_ROTATED);
            assertThat(e.message()).contains("stays valid until it expires").doesNotContain("t3");
        });
        assertThat(reasons(new CcmCredentials.Stored(Form.SERVICE_ACCOUNT_TOKEN, "t3", false, false, false, 0, RENEW)))
                .isEmpty();
        assertThat(reasons(new CcmCredentials.Stored(Form.API_KEY, "EXO2", true, true, false, 1, Optional.empty())))
                .containsExactly(ClusterEvents.CLOUD_CREDENTIALS_ROTATED, ClusterEvents.CLOUD_CREDENTIALS_REVOKED);
    }

    @Test
    void theClusterComesBackWhenItsTokenIsDueAndNotBefore() {
        assertThat(CcmCredentials.renewIn(
                        new CcmCredentials.Stored(Form.SERVICE_ACCOUNT_TOKEN, "t", false, false, false, 0, RENEW),
                        CLOCK))
                .contains(Duration.ofHours(16));
        assertThat(CcmCredentials.renewIn(
                        new CcmCredentials.Stored(
                                Form.SERVICE_ACCOUNT_TOKEN,
                                "t",
                                false,
                                false,
                                false,
                                0,
                                Optional.of(NOW.minusSeconds(9))),
                        CLOCK))
                .contains(CcmCredentials.RENEWAL_POLL_MIN);
        assertThat(CcmCredentials.renewIn(
                        new CcmCredentials.Stored(Form.API_KEY, "EXO", false, false, false, 0, Optional.empty()),
                        CLOCK))
                .isEmpty();
    }

    private static List<String> reasons(CcmCredentials.Outcome outcome) {
        return ClusterEvents.ccmCredentials(outcome).stream()
                .map(Transition::reason)
                .toList();
    }
}
