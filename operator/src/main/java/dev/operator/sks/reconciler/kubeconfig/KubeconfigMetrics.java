package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.metrics.FleetMetrics;
import dev.operator.sks.status.Conditions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Aggregated kubeconfig metrics, without per-resource tags: {@code sks_kubeconfigs_issued_total} (every certificate
 * written: first issues, re-issues on change, renewals) and {@code sks_kubeconfigs_expiring_soon} (Ready kubeconfigs
 * that expire within 7 days, counted from the requests' status in the operator's cache when scraped).
 */
public final class KubeconfigMetrics {
    /** Micrometer names; Prometheus shows them as sks_kubeconfigs_issued_total and sks_kubeconfigs_expiring_soon. */
    public static final String ISSUED = FleetMetrics.KUBECONFIGS_ISSUED;

    public static final String EXPIRING_SOON = FleetMetrics.KUBECONFIGS_EXPIRING_SOON;

    private final Counter issued;
    private final Clock clock;
    private volatile Supplier<Stream<KubeconfigRequest>> requests = Stream::empty;

    public KubeconfigMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.issued = Counter.builder(ISSUED)
                .description("Client certificates issued for KubeconfigRequests: first issues, re-issues and renewals")
                .register(registry);
        Gauge.builder(EXPIRING_SOON, this, KubeconfigMetrics::expiringSoon)
                .description("Ready kubeconfigs whose certificate expires within 7 days")
                .strongReference(true)
                .register(registry);
    }

    void issued() {
        issued.increment();
    }

    /** Where the gauge counts from: the reconciler hands over its cache of requests once it has one. */
    void countFrom(Supplier<Stream<KubeconfigRequest>> requests) {
        this.requests = requests;
    }

    double expiringSoon() {
        Instant now = clock.instant();
        return requests.get()
                .filter(r -> r.getStatus() != null
                        && r.getStatus().expirationTime != null
                        && Conditions.isTrue(r.getStatus().conditions, Conditions.READY))
                .filter(r -> {
                    try {
                        return KubeconfigPolicy.expiringSoon(Instant.parse(r.getStatus().expirationTime), now);
                    } catch (RuntimeException unparsable) {
                        return false;
                    }
                })
                .count();
    }
}
