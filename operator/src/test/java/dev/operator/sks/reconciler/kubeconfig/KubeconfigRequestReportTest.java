package dev.operator.sks.reconciler.kubeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.events.EventType;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPlan.Evaluation;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Action;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Decision;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.ClusterDeleting;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.ClusterNotFound;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Done;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Invalid;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Outcome;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.SecretNameRefused;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.SecretTaken;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.WaitingForCertificateAuthority;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.WaitingForCluster;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigRequestReport.Written;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status, Events and logs a KubeconfigRequest's reconcile leads to, worded without a server. */
class KubeconfigRequestReportTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);
    static final Instant EXPIRES = Instant.parse("2025-03-01T11:00:00Z");
    static final String SERVER = "https://203.0.113.10:443";
    static final String INTERNAL_SERVER = "https://alpha-apiserver.team-a.svc:6443";

    static KubeconfigRequest request() {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = "alpha";
        spec.user = "alice";
        KubeconfigRequest request = new KubeconfigRequest();
        request.setMetadata(new ObjectMetaBuilder()
                .withName("alice")
                .withNamespace("team-a")
                .withUid("uid-1")
                .withGeneration(2L)
                .build());
        request.setSpec(spec);
        return request;
    }

    static Done done(Action action, Optional<Withdrawal> held, boolean internal, Long renewBefore) {
        return new Done(
                action,
                held,
                Optional.of("1a2b3c"),
                Optional.of(EXPIRES),
                internal ? INTERNAL_SERVER : SERVER,
                internal,
                renewBefore);
    }

    static KubeconfigRequestStatus report(Outcome outcome) {
        return report(new KubeconfigRequestStatus(), outcome);
    }

    static KubeconfigRequestStatus report(KubeconfigRequestStatus status, Outcome outcome) {
        return KubeconfigRequestReport.report(request(), status, outcome, CLOCK);
    }

    static void assertCondition(
            KubeconfigRequestStatus status, String type, String value, String reason, String message) {
        Condition condition = Conditions.find(status.conditions, type).orElseThrow();
        assertThat(condition.getStatus()).as(type).isEqualTo(value);
        assertThat(condition.getReason()).as(type).isEqualTo(reason);
        assertThat(condition.getMessage()).as(type).isEqualTo(message);
        assertThat(condition.getObservedGeneration()).as(type).isEqualTo(2L);
        assertThat(condition.getLastTransitionTime()).as(type).isEqualTo("2025-03-01T10:00:00Z");
    }

    @Test
    void anIssuedKubeconfigSaysForWhomWhereAndUntilWhen() {
        KubeconfigRequestStatus status = report(done(Action.ISSUE, Optional.empty(), false, null));

        assertThat(status.observedGeneration).isEqualTo(2L);
        assertThat(status.secretName).isEqualTo("alice-kubeconfig");
        assertThat(status.serialNumber).isEqualTo("1a2b3c");
        assertThat(status.expirationTime).isEqualTo("2025-03-01T11:00:00Z");
        assertCondition(
                status,
                Conditions.READY,
                "True",
                "Issued",
                "kubeconfig for user alice in Secret alice-kubeconfig (key kubeconfig), valid until "
                        + "2025-03-01T11:00:00Z");
        assertCondition(
                status, Conditions.EXPIRED, "False", "Valid", "the certificate is valid until 2025-03-01T11:00:00Z");
        assertThat(report(done(Action.KEEP, Optional.empty(), false, null)).conditions)
                .as("a kept kubeconfig reads the same")
                .isEqualTo(status.conditions);
    }

    @Test
    void aRenewingKubeconfigSaysWhenItIsRenewed() {
        KubeconfigRequestStatus status = report(done(Action.ISSUE, Optional.empty(), false, 600L));

        assertCondition(
                status,
                Conditions.READY,
                "True",
                "Issued",
                "kubeconfig for user alice in Secret alice-kubeconfig (key kubeconfig), valid until "
                        + "2025-03-01T11:00:00Z, renewed 600s before expiry");
    }

    @Test
    void aKubeconfigForTheInternalServerSaysItIsReachableOnlyFromInside() {
        KubeconfigRequestStatus status = report(done(Action.RENDER, Optional.empty(), true, 600L));

        assertCondition(
                status,
                Conditions.READY,
                "True",
                "Issued",
                "kubeconfig for user alice in Secret alice-kubeconfig (key kubeconfig), valid until "
                        + "2025-03-01T11:00:00Z, renewed 600s before expiry; SKSCluster 'alpha' has no endpoint yet, "
                        + "so its server is " + INTERNAL_SERVER + ", reachable only from inside the management "
                        + "cluster, until it has one");
    }

    @Test
    void anExpiredKubeconfigSaysItsDataWasRemoved() {
        KubeconfigRequestStatus status = report(done(Action.EXPIRE, Optional.empty(), false, null));

        assertThat(status.expirationTime).isEqualTo("2025-03-01T11:00:00Z");
        assertCondition(
                status,
                Conditions.READY,
                "False",
                "Expired",
                "the certificate expired at 2025-03-01T11:00:00Z and the data of Secret alice-kubeconfig was "
                        + "removed; change the request, or delete and re-create it, for a new kubeconfig (with "
                        + "renewBeforeSeconds it is renewed before expiry)");
        assertCondition(
                status, Conditions.EXPIRED, "True", "Expired", "the certificate expired at 2025-03-01T11:00:00Z");
        assertThat(report(done(Action.STAY_WITHDRAWN, Optional.of(Withdrawal.EXPIRED), false, null)).conditions)
                .as("a kubeconfig withdrawn before stays told so")
                .isEqualTo(status.conditions);
    }

    @Test
    void aRevokedKubeconfigSaysTheClientsCaWasRotated() {
        KubeconfigRequestStatus status = report(done(Action.REVOKE, Optional.empty(), false, null));

        assertCondition(
                status,
                Conditions.READY,
                "False",
                "ClientsCARotated",
                "the clients CA of SKSCluster 'alpha' was rotated, which revokes this kubeconfig; the data of "
                        + "Secret alice-kubeconfig was removed. Set renewBeforeSeconds, or delete and re-create the "
                        + "request, for a new kubeconfig");
        assertCondition(
                status,
                Conditions.EXPIRED,
                "False",
                "ClientsCARotated",
                "revoked before its expiry at 2025-03-01T11:00:00Z");
        assertThat(report(done(Action.STAY_WITHDRAWN, Optional.of(Withdrawal.CLIENTS_CA_ROTATED), false, null))
                        .conditions)
                .isEqualTo(status.conditions);
    }

    @Test
    void aBlockedRequestSaysWhyAndThatNothingWasIssued() {
        KubeconfigRequestStatus waiting = report(new WaitingForCluster("alpha"));
        assertThat(waiting.secretName).isEqualTo("alice-kubeconfig");
        assertThat(waiting.serialNumber).isNull();
        assertCondition(
                waiting, Conditions.READY, "False", "WaitingForCluster", "waiting for SKSCluster 'alpha' to be Ready");
        assertCondition(waiting, Conditions.EXPIRED, "False", "NotIssued", "no certificate has been issued");

        assertCondition(
                report(new SecretTaken(new NameConflict("Secret", "alice-kubeconfig"))),
                Conditions.READY,
                "False",
                NameConflict.REASON,
                "Secret alice-kubeconfig exists and was not made for KubeconfigRequest alice (it has no controller "
                        + "reference to it), so it is left untouched; delete or rename that Secret, or give the "
                        + "KubeconfigRequest another name, or set spec.secretName to another name");
        assertCondition(
                report(new ClusterDeleting("alpha")),
                Conditions.READY,
                "False",
                "ClusterDeleting",
                "SKSCluster 'alpha' is being deleted; no kubeconfig is issued for it. Delete this request, or point "
                        + "spec.cluster at another cluster");
        assertCondition(
                report(new ClusterNotFound("alpha", "team-a")),
                Conditions.READY,
                "False",
                "ClusterNotFound",
                "SKSCluster 'alpha' does not exist in namespace team-a; create it or correct spec.cluster");
        assertCondition(
                report(new WaitingForCertificateAuthority("alpha")),
                Conditions.READY,
                "False",
                "WaitingForCertificateAuthority",
                "waiting for the certificate authorities of SKSCluster 'alpha' (Secrets alpha-ca and "
                        + "alpha-clients-ca)");
        assertCondition(
                report(new SecretNameRefused(new Violation("SecretNameReserved", "Secret alpha-ca is taken"))),
                Conditions.READY,
                "False",
                "SecretNameReserved",
                "Secret alpha-ca is taken");
    }

    @Test
    void notIssuedKeepsAnEarlierExpiredCondition() {
        KubeconfigRequestStatus expired = report(done(Action.EXPIRE, Optional.empty(), false, null));

        KubeconfigRequestStatus status = report(expired, new WaitingForCluster("alpha"));

        assertCondition(
                status, Conditions.READY, "False", "WaitingForCluster", "waiting for SKSCluster 'alpha' to be Ready");
        assertCondition(
                status, Conditions.EXPIRED, "True", "Expired", "the certificate expired at 2025-03-01T11:00:00Z");
        assertThat(status.serialNumber).as("what the Secret said stays").isEqualTo("1a2b3c");
        assertThat(status.expirationTime).isEqualTo("2025-03-01T11:00:00Z");
    }

    @Test
    void anInvalidSpecSetsReadyAloneAndNoSecretName() {
        KubeconfigRequestStatus status = report(new Invalid(List.of(
                new Violation("InvalidUser", "spec.user must name a user"),
                new Violation("InvalidTTL", "spec.ttlSeconds 5 is outside"))));

        assertCondition(
                status,
                Conditions.READY,
                "False",
                "InvalidUser",
                "spec.user must name a user; spec.ttlSeconds 5 is outside");
        assertThat(Conditions.find(status.conditions, Conditions.EXPIRED)).isEmpty();
        assertThat(status.secretName).isNull();
        assertThat(status.observedGeneration).isEqualTo(2L);
    }

    @Test
    void noMessageSaysNull() {
        List<Outcome> outcomes = List.of(
                done(Action.ISSUE, Optional.empty(), false, null),
                done(Action.ISSUE, Optional.empty(), true, 600L),
                done(Action.KEEP, Optional.empty(), false, 600L),
                done(Action.RENDER, Optional.empty(), true, null),
                done(Action.EXPIRE, Optional.empty(), false, null),
                done(Action.REVOKE, Optional.empty(), false, null),
                done(Action.STAY_WITHDRAWN, Optional.of(Withdrawal.EXPIRED), false, null),
                done(Action.STAY_WITHDRAWN, Optional.of(Withdrawal.CLIENTS_CA_ROTATED), false, 600L),
                new WaitingForCluster("alpha"),
                new SecretTaken(new NameConflict("Secret", "alice-kubeconfig")),
                new ClusterDeleting("alpha"),
                new ClusterNotFound("alpha", "team-a"),
                new WaitingForCertificateAuthority("alpha"),
                new SecretNameRefused(new Violation("InvalidSecretName", "not a valid Secret name")),
                new Invalid(List.of(new Violation("InvalidUser", "spec.user must name a user"))),
                // A Secret whose serial and expiry annotations were edited away.
                new Done(Action.KEEP, Optional.empty(), Optional.empty(), Optional.empty(), SERVER, false, null),
                new Done(Action.EXPIRE, Optional.empty(), Optional.empty(), Optional.empty(), SERVER, false, null));
        for (Outcome outcome : outcomes) {
            for (Condition condition : report(outcome).conditions) {
                assertThat(condition.getMessage()).as(outcome.toString()).doesNotContain("null");
                assertThat(condition.getReason()).as(outcome.toString()).isNotBlank();
            }
        }
    }

    @Test
    void aWrittenSecretIsToldAsAnEventAndALogLineWithoutItsData() {
        Written issued = new Written(
                new Decision(Action.ISSUE, "no kubeconfig has been issued yet"),
                "alice",
                "alice-kubeconfig",
                Optional.of("1a2b3c"),
                Optional.of(EXPIRES));
        assertThat(KubeconfigRequestReport.event(issued))
                .contains(new Transition(
                        EventType.Normal,
                        "KubeconfigIssued",
                        "issued for user alice in Secret alice-kubeconfig (serial 1a2b3c, valid until "
                                + "2025-03-01T11:00:00Z): no kubeconfig has been issued yet"));
        assertThat(KubeconfigRequestReport.logged(request(), issued))
                .isEqualTo("KubeconfigRequest team-a/alice: issued a kubeconfig into Secret alice-kubeconfig (no "
                        + "kubeconfig has been issued yet; user alice, serial 1a2b3c, expires 2025-03-01T11:00:00Z)");

        Written renewed = new Written(
                new Decision(Action.ISSUE, "renewal is due", true),
                "alice",
                "alice-kubeconfig",
                Optional.of("4d5e"),
                Optional.of(EXPIRES));
        assertThat(KubeconfigRequestReport.event(renewed).orElseThrow().reason())
                .isEqualTo("KubeconfigRenewed");

        Written expired = new Written(
                new Decision(Action.EXPIRE, "the certificate expired"),
                "alice",
                "alice-kubeconfig",
                Optional.empty(),
                Optional.empty());
        Transition event = KubeconfigRequestReport.event(expired).orElseThrow();
        assertThat(event.type()).isEqualTo(EventType.Warning);
        assertThat(event.reason()).isEqualTo("KubeconfigExpired");
        assertThat(event.message())
                .isEqualTo("expired and removed for user alice in Secret alice-kubeconfig (serial -, valid until -): "
                        + "the certificate expired");
        assertThat(KubeconfigRequestReport.logged(request(), expired))
                .contains("removed the expired kubeconfig from Secret alice-kubeconfig");

        Written rendered = new Written(
                new Decision(Action.RENDER, "the cluster's endpoint or CA changed"),
                "alice",
                "alice-kubeconfig",
                Optional.of("1a2b3c"),
                Optional.of(EXPIRES));
        assertThat(KubeconfigRequestReport.event(rendered))
                .as("same certificate: no Event")
                .isEmpty();
        assertThat(KubeconfigRequestReport.logged(request(), rendered))
                .contains("rewrote the kubeconfig (same certificate) in Secret alice-kubeconfig");
        assertThat(KubeconfigRequestReport.verb(Action.REVOKE)).isEqualTo("removed the revoked kubeconfig from");
    }

    @Test
    void theEvaluationIsBlockedByATakenSecretADeletedOrAnUnreadyCluster() {
        Instant now = CLOCK.instant();
        SKSCluster cluster = cluster();
        assertThat(KubeconfigPlan.evaluate(request(), cluster, name -> Optional.empty(), now))
                .isEqualTo(new WaitingForCluster("alpha"));

        Secret foreign = new SecretBuilder()
                .withNewMetadata()
                .withName("alice-kubeconfig")
                .withNamespace("team-a")
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withKind("KubeconfigRequest")
                        .withName("alice")
                        .withUid("another-uid")
                        .withController(true)
                        .build())
                .endMetadata()
                .build();
        Evaluation taken = KubeconfigPlan.evaluate(
                request(), cluster, name -> Optional.of(foreign).filter(s -> name.equals("alice-kubeconfig")), now);
        assertThat(taken).isEqualTo(new SecretTaken(new NameConflict("Secret", "alice-kubeconfig")));

        cluster.getMetadata().setDeletionTimestamp("2025-03-01T09:00:00Z");
        assertThat(KubeconfigPlan.evaluate(request(), cluster, name -> Optional.empty(), now))
                .isEqualTo(new ClusterDeleting("alpha"));

        SKSCluster ready = cluster();
        Conditions.set(ready.getStatus().conditions, Conditions.READY, true, "Running", "running", 1L, CLOCK);
        assertThat(KubeconfigPlan.evaluate(request(), ready, name -> Optional.empty(), now))
                .isEqualTo(new WaitingForCertificateAuthority("alpha"));
    }

    static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("alpha")
                .withNamespace("team-a")
                .withUid("cluster-uid")
                .withLabels(Map.of())
                .build());
        cluster.setStatus(new SKSClusterStatus());
        return cluster;
    }
}
