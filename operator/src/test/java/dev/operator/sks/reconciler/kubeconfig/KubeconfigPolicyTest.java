package dev.operator.sks.reconciler.kubeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Action;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Held;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Wanted;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every rule of issuance, re-issue, renewal, expiry and revocation, with a fixed clock and no server. */
class KubeconfigPolicyTest {
    static final Instant ISSUED_AT = Instant.parse("2025-03-01T10:00:00Z");
    static final Pki PKI = new BouncyCastlePki(Clock.fixed(ISSUED_AT, ZoneOffset.UTC));
    static final IssuedCertificate CLIENTS_CA = PKI.createCa("kubernetes-clients-ca");
    static final String SERVER = "https://203.0.113.10:443";
    static final String CA_PEM = "-----BEGIN CERTIFICATE-----\ncluster-ca\n-----END CERTIFICATE-----\n";

    static Wanted wanted(String user, List<String> groups, long ttl, Long renewBefore) {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = "alpha";
        spec.user = user;
        spec.groups = groups;
        spec.ttlSeconds = ttl;
        spec.renewBeforeSeconds = renewBefore;
        return Wanted.of(spec, SERVER, CA_PEM, CLIENTS_CA.notAfter());
    }

    static final Wanted ALICE = wanted("alice", List.of("dev", "ops"), 3600, null);
    static final Wanted RENEWING = wanted("alice", List.of("dev", "ops"), 3600, 600L);

    /** What the Secret holds after {@code wanted} was issued at {@link #ISSUED_AT}. */
    static Held issued(Wanted wanted) {
        X509Certificate certificate =
                PKI.issue(wanted.certificateRequest(), CLIENTS_CA).certificate();
        return new Held(wanted.digest(), null, certificate, true, wanted.server(), wanted.clusterCaPem());
    }

    static Action decide(Wanted wanted, Held held, Instant now) {
        return KubeconfigPolicy.decide(wanted, Optional.of(held), now).action();
    }

    @Test
    void nothingHeldIsIssued() {
        assertThat(KubeconfigPolicy.decide(ALICE, Optional.empty(), ISSUED_AT).action())
                .isEqualTo(Action.ISSUE);
    }

    @Test
    void eachWriteTellsItsOwnEventAndARenewalIsNotAFirstIssue() {
        Held held = issued(RENEWING);
        KubeconfigPolicy.Decision first = KubeconfigPolicy.decide(RENEWING, Optional.empty(), ISSUED_AT);
        KubeconfigPolicy.Decision renewal =
                KubeconfigPolicy.decide(RENEWING, Optional.of(held), ISSUED_AT.plusSeconds(3000));
        KubeconfigPolicy.Decision expiry =
                KubeconfigPolicy.decide(ALICE, Optional.of(issued(ALICE)), ISSUED_AT.plusSeconds(3600));
        assertThat(KubeconfigPolicy.eventOf(first))
                .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo("KubeconfigIssued"));
        assertThat(KubeconfigPolicy.eventOf(renewal)).hasValueSatisfying(e -> {
            assertThat(e.reason()).isEqualTo("KubeconfigRenewed");
            assertThat(e.type()).isEqualTo(dev.operator.sks.events.EventType.Normal);
        });
        assertThat(KubeconfigPolicy.eventOf(expiry)).hasValueSatisfying(e -> {
            assertThat(e.reason()).isEqualTo("KubeconfigExpired");
            assertThat(e.type()).isEqualTo(dev.operator.sks.events.EventType.Warning);
        });
        assertThat(KubeconfigPolicy.eventOf(new KubeconfigPolicy.Decision(Action.REVOKE, "rotated")))
                .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo("KubeconfigRevoked"));
        assertThat(KubeconfigPolicy.eventOf(new KubeconfigPolicy.Decision(Action.RENDER, "moved")))
                .isEmpty();
        assertThat(KubeconfigPolicy.eventOf(new KubeconfigPolicy.Decision(Action.KEEP, "current")))
                .isEmpty();
    }

    @Test
    void aCurrentCertificateIsKeptUntilItExpires() {
        Held held = issued(ALICE);
        assertThat(decide(ALICE, held, ISSUED_AT)).isEqualTo(Action.KEEP);
        assertThat(decide(ALICE, held, ISSUED_AT.plusSeconds(3599))).isEqualTo(Action.KEEP);
        assertThat(decide(ALICE, held, ISSUED_AT.plusSeconds(3600))).isEqualTo(Action.EXPIRE);
        assertThat(decide(ALICE, held, ISSUED_AT.plus(Duration.ofDays(400)))).isEqualTo(Action.EXPIRE);
    }

    @Test
    void aChangeOfUserGroupsTtlOrClusterIssuesAgainButRenewBeforeAndSecretNameDoNot() {
        Held held = issued(ALICE);
        assertThat(decide(wanted("bob", List.of("dev", "ops"), 3600, null), held, ISSUED_AT))
                .isEqualTo(Action.ISSUE);
        assertThat(decide(wanted("alice", List.of("dev"), 3600, null), held, ISSUED_AT))
                .isEqualTo(Action.ISSUE);
        assertThat(decide(wanted("alice", List.of("ops", "dev"), 3600, null), held, ISSUED_AT))
                .isEqualTo(Action.ISSUE);
        assertThat(decide(wanted("alice", List.of("dev", "ops"), 7200, null), held, ISSUED_AT))
                .isEqualTo(Action.ISSUE);
        Wanted otherCluster =
                new Wanted("beta", "alice", List.of("dev", "ops"), 3600, null, SERVER, CA_PEM, CLIENTS_CA.notAfter());
        assertThat(decide(otherCluster, held, ISSUED_AT)).isEqualTo(Action.ISSUE);
        assertThat(decide(wanted("alice", List.of("dev", "ops"), 3600, 600L), held, ISSUED_AT))
                .isEqualTo(Action.KEEP);
    }

    @Test
    void theDigestSeparatesFieldsSoShiftedTextDiffers() {
        assertThat(wanted("a", List.of("b"), 600, null).digest())
                .isNotEqualTo(wanted("a\nb", List.of(), 600, null).digest());
        assertThat(ALICE.digest())
                .isEqualTo(wanted("alice", List.of("dev", "ops"), 3600, 900L).digest())
                .hasSize(32);
    }

    @Test
    void aCertificateThatSaysSomethingElseThanItsAnnotationIsIssuedAgain() {
        Held bobs = issued(wanted("bob", List.of("dev", "ops"), 3600, null));
        Held relabelled = new Held(ALICE.digest(), null, bobs.certificate(), true, SERVER, CA_PEM);
        assertThat(decide(ALICE, relabelled, ISSUED_AT)).isEqualTo(Action.ISSUE);
        Held longer = issued(wanted("alice", List.of("dev", "ops"), 7200, null));
        assertThat(decide(ALICE, new Held(ALICE.digest(), null, longer.certificate(), true, SERVER, CA_PEM), ISSUED_AT))
                .as("a certificate living longer than the TTL")
                .isEqualTo(Action.ISSUE);
        assertThat(decide(ALICE, new Held(ALICE.digest(), null, null, false, null, null), ISSUED_AT))
                .as("unreadable kubeconfig")
                .isEqualTo(Action.ISSUE);
    }

    @Test
    void renewalHappensRenewBeforeSecondsBeforeExpiry() {
        Held held = issued(RENEWING);
        Instant notAfter = held.certificate().getNotAfter().toInstant();
        assertThat(notAfter).isEqualTo(ISSUED_AT.plusSeconds(3600));
        assertThat(KubeconfigPolicy.renewalTime(notAfter, RENEWING)).isEqualTo(ISSUED_AT.plusSeconds(3000));
        assertThat(decide(RENEWING, held, ISSUED_AT.plusSeconds(2999))).isEqualTo(Action.KEEP);
        assertThat(decide(RENEWING, held, ISSUED_AT.plusSeconds(3000))).isEqualTo(Action.ISSUE);
        assertThat(decide(RENEWING, held, ISSUED_AT.plusSeconds(5000)))
                .as("past expiry, still renewed")
                .isEqualTo(Action.ISSUE);
    }

    @Test
    void theNextCheckIsTheRenewalTimeOrTheExpiry() {
        Instant notAfter = ISSUED_AT.plusSeconds(3600);
        assertThat(KubeconfigPolicy.nextCheck(RENEWING, notAfter, Action.ISSUE, ISSUED_AT))
                .contains(ISSUED_AT.plusSeconds(3000));
        assertThat(KubeconfigPolicy.nextCheck(ALICE, notAfter, Action.KEEP, ISSUED_AT))
                .contains(notAfter);
        assertThat(KubeconfigPolicy.nextCheck(ALICE, notAfter, Action.EXPIRE, notAfter))
                .isEmpty();
        assertThat(KubeconfigPolicy.nextCheck(ALICE, notAfter, Action.REVOKE, ISSUED_AT))
                .isEmpty();
        assertThat(KubeconfigPolicy.nextCheck(ALICE, notAfter, Action.STAY_WITHDRAWN, ISSUED_AT))
                .isEmpty();
        assertThat(KubeconfigPolicy.delayUntil(ISSUED_AT.plusSeconds(3000), ISSUED_AT))
                .isEqualTo(Duration.ofSeconds(3000));
        assertThat(KubeconfigPolicy.delayUntil(ISSUED_AT.minusSeconds(5), ISSUED_AT))
                .as("a check already due waits a little, never a negative delay")
                .isEqualTo(KubeconfigPolicy.MIN_RESCHEDULE);
    }

    @Test
    void renewalStopsWhenTheClientsCaWouldNotLetANewCertificateLastLonger() {
        Held held = issued(RENEWING);
        Instant notAfter = held.certificate().getNotAfter().toInstant();
        // A clients CA expiring with the certificate: a new one would be clamped to the same expiry.
        Wanted caExpiresFirst =
                new Wanted("alpha", "alice", List.of("dev", "ops"), 3600, 600L, SERVER, CA_PEM, notAfter);
        assertThat(decide(caExpiresFirst, held, notAfter.minusSeconds(60))).isEqualTo(Action.KEEP);
        assertThat(KubeconfigPolicy.nextCheck(caExpiresFirst, notAfter, Action.KEEP, notAfter.minusSeconds(60)))
                .as("no renewal loop: the next look is at expiry")
                .contains(notAfter);
        assertThat(decide(caExpiresFirst, held, notAfter)).isEqualTo(Action.EXPIRE);
    }

    @Test
    void aRotatedClientsCaRevokesOrRenews() {
        Held underOldCa = new Held(ALICE.digest(), null, issued(ALICE).certificate(), false, SERVER, CA_PEM);
        assertThat(decide(ALICE, underOldCa, ISSUED_AT)).isEqualTo(Action.REVOKE);
        Held renewingUnderOldCa =
                new Held(RENEWING.digest(), null, issued(RENEWING).certificate(), false, SERVER, CA_PEM);
        assertThat(decide(RENEWING, renewingUnderOldCa, ISSUED_AT)).isEqualTo(Action.ISSUE);
    }

    @Test
    void withdrawnDataStaysWithdrawnUntilTheRequestChangesOrRenews() {
        for (Withdrawal reason : Withdrawal.values()) {
            Held withdrawn = new Held(ALICE.digest(), reason, null, false, null, null);
            assertThat(KubeconfigPolicy.decide(ALICE, Optional.of(withdrawn), ISSUED_AT))
                    .satisfies(d -> assertThat(d.action()).isEqualTo(Action.STAY_WITHDRAWN))
                    .satisfies(d -> assertThat(d.why()).isEqualTo(reason.value()));
            assertThat(decide(wanted("alice", List.of("dev", "ops"), 7200, null), withdrawn, ISSUED_AT))
                    .isEqualTo(Action.ISSUE);
            assertThat(decide(wanted("alice", List.of("dev", "ops"), 3600, 600L), withdrawn, ISSUED_AT))
                    .isEqualTo(Action.ISSUE);
        }
    }

    @Test
    void aNewEndpointOrClusterCaRewritesTheKubeconfigWithoutANewCertificate() {
        Held held = issued(ALICE);
        Wanted moved = new Wanted(
                "alpha",
                "alice",
                List.of("dev", "ops"),
                3600,
                null,
                "https://198.51.100.7:443",
                CA_PEM,
                CLIENTS_CA.notAfter());
        assertThat(decide(moved, held, ISSUED_AT)).isEqualTo(Action.RENDER);
        Wanted newCa = new Wanted(
                "alpha", "alice", List.of("dev", "ops"), 3600, null, SERVER, CA_PEM + "x", CLIENTS_CA.notAfter());
        assertThat(decide(newCa, held, ISSUED_AT)).isEqualTo(Action.RENDER);
        assertThat(decide(moved, held, ISSUED_AT.plusSeconds(3600)))
                .as("expiry wins")
                .isEqualTo(Action.EXPIRE);
    }

    @Test
    void onlyActionsThatChangeTheSecretWrite() {
        assertThat(List.of(Action.values()))
                .filteredOn(Action::writes)
                .containsExactly(Action.ISSUE, Action.RENDER, Action.EXPIRE, Action.REVOKE);
    }

    @Test
    void expiringSoonMeansWithinSevenDaysAndNotYetExpired() {
        Instant now = ISSUED_AT;
        assertThat(KubeconfigPolicy.expiringSoon(now.plus(Duration.ofDays(7)), now))
                .isTrue();
        assertThat(KubeconfigPolicy.expiringSoon(now.plusSeconds(1), now)).isTrue();
        assertThat(KubeconfigPolicy.expiringSoon(now.plus(Duration.ofDays(7)).plusSeconds(1), now))
                .isFalse();
        assertThat(KubeconfigPolicy.expiringSoon(now, now)).isFalse();
    }
}
