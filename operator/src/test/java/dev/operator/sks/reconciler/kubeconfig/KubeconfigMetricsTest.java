package dev.operator.sks.reconciler.kubeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.status.Conditions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeconfigMetricsTest {
    static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static KubeconfigRequest request(Instant expires, boolean ready) {
        KubeconfigRequest request = new KubeconfigRequest();
        KubeconfigRequestStatus status = new KubeconfigRequestStatus();
        status.expirationTime = Conditions.timestamp(expires);
        Conditions.set(status.conditions, Conditions.READY, ready, ready ? "Issued" : "Expired", "m", 1L, CLOCK);
        request.setStatus(status);
        return request;
    }

    @Test
    void prometheusSeesAnIssuedCounterAndAnExpiringSoonGaugeWithoutPerResourceLabels() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KubeconfigMetrics metrics = new KubeconfigMetrics(registry, CLOCK);
        List<KubeconfigRequest> requests = List.of(
                request(NOW.plus(Duration.ofDays(1)), true),
                request(NOW.plus(Duration.ofDays(6)), true),
                request(NOW.plus(Duration.ofDays(8)), true),
                request(NOW.plus(Duration.ofDays(1)), false),
                request(NOW.minusSeconds(1), true),
                new KubeconfigRequest());
        metrics.countFrom(requests::stream);
        metrics.issued();
        metrics.issued();

        String scrape = registry.scrape();
        assertThat(scrape).contains("sks_kubeconfigs_issued_total 2.0").contains("sks_kubeconfigs_expiring_soon 2.0");
        assertThat(scrape.lines().filter(l -> l.startsWith("sks_kubeconfigs")))
                .allSatisfy(line -> assertThat(line).doesNotContain("{"));
    }
}
