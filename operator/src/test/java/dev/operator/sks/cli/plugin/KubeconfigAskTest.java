package dev.operator.sks.cli.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.naming.Names;
import dev.operator.sks.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeconfigAskTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private final KubeconfigAsk ask = new KubeconfigAsk("demo", "alice", List.of("dev", "ops"), 86_400L);

    @Test
    void anEqualRequestHoldingAKubeconfigIsReusedTheLatestFirst() {
        KubeconfigRequest older =
                request("a", List.of("ops", "dev"), 86_400L, "True", "Issued", "2026-12-01T20:00:00Z");
        KubeconfigRequest newer =
                request("b", List.of("dev", "ops"), 86_400L, "True", "Issued", "2026-12-01T22:00:00Z");
        KubeconfigRequest otherTtl =
                request("c", List.of("dev", "ops"), 3_600L, "True", "Issued", "2026-12-02T00:00:00Z");
        KubeconfigRequest otherGroups = request("d", List.of("dev"), 86_400L, "True", "Issued", "2026-12-02T00:00:00Z");
        assertThat(ask.reusable(List.of(older, newer, otherTtl, otherGroups), NOW))
                .contains(newer);
        // Less than half the asked lifetime ahead: a fresh one is made rather than a kubeconfig about to die.
        assertThat(ask.reusable(List.of(older, newer), NOW.plus(Duration.ofHours(11))))
                .isEmpty();
    }

    @Test
    void aWithdrawnOrRenewingRequestIsNotReusedAPendingOneIs() {
        KubeconfigRequest expired = request("a", List.of("dev", "ops"), 86_400L, "False", "Expired", null);
        KubeconfigRequest revoked = request("b", List.of("dev", "ops"), 86_400L, "False", "ClientsCARotated", null);
        KubeconfigRequest renewing =
                request("c", List.of("dev", "ops"), 86_400L, "True", "Issued", "2026-12-01T10:00:00Z");
        renewing.getSpec().renewBeforeSeconds = 600L;
        assertThat(ask.reusable(List.of(expired, revoked, renewing), NOW)).isEmpty();

        KubeconfigRequest waiting = request("d", List.of("dev", "ops"), 86_400L, "False", "WaitingForCluster", null);
        assertThat(ask.reusable(List.of(expired, waiting), NOW)).contains(waiting);
    }

    @Test
    void progressReadsOnlyConditionsOfTheCurrentGeneration() {
        KubeconfigRequest request = request("a", List.of(), 86_400L, "True", "Issued", "2026-12-01T10:00:00Z");
        assertThat(KubeconfigAsk.progress(request))
                .isEqualTo(new KubeconfigAsk.Issued("a-kubeconfig", "2026-12-01T10:00:00Z"));
        request.getMetadata().setGeneration(2L);
        assertThat(KubeconfigAsk.progress(request)).isInstanceOf(KubeconfigAsk.Pending.class);
        assertThat(KubeconfigAsk.progress(request("b", List.of(), 86_400L, "False", "InvalidUser", null)))
                .isEqualTo(new KubeconfigAsk.Refused("InvalidUser", "why"));
    }

    @Test
    void requestNamesSayWhoTheyAreForAndDurationsReadLikeKubectls() {
        assertThat(Names.pluginKubeconfigRequestPrefix("demo", "alice")).isEqualTo("demo-alice-");
        assertThat(Names.pluginKubeconfigRequestPrefix("demo", "system:admin")).isEqualTo("demo-system-admin-");
        assertThat(Names.pluginKubeconfigRequestPrefix("demo", "日本")).isEqualTo("demo-");
        assertThat(Names.pluginKubeconfigRequestPrefix("demo", "x".repeat(100))).hasSize(61);
        assertThat(Durations.parse("24h", "--ttl")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("1h30m", "--ttl")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("7d", "--ttl")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("600", "--ttl")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.human(Duration.ofSeconds(86_399))).isEqualTo("23h59m");
        assertThat(Durations.human(Duration.ofDays(3).plusHours(2))).isEqualTo("3d2h");
    }

    private static KubeconfigRequest request(
            String name, List<String> groups, long ttl, String ready, String reason, String expires) {
        KubeconfigRequest request = new KubeconfigRequest();
        request.getMetadata().setName(name);
        request.getMetadata().setGeneration(1L);
        request.setSpec(new KubeconfigRequestSpec());
        request.getSpec().cluster = "demo";
        request.getSpec().user = "alice";
        request.getSpec().groups = groups;
        request.getSpec().ttlSeconds = ttl;
        request.setStatus(new KubeconfigRequestStatus());
        request.getStatus().secretName = name + "-kubeconfig";
        request.getStatus().expirationTime = expires;
        Conditions.set(request.getStatus().conditions, Conditions.READY, ready, reason, "why", 1L, Clock.systemUTC());
        return request;
    }
}
