package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterAuthorityExpiry;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.events.EventType;
import dev.operator.sks.metrics.FleetMetrics;
import dev.operator.sks.metrics.FleetMetrics.Series;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each CA's expiry in status, its metric series, and the Warning 90 days before, at most once a day per CA. */
class CertificateExpiryTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    static SKSClusterStatus reported(Map<String, Instant> byAuthority, SKSClusterStatus status) {
        ClusterStatusReport.certificates(
                status,
                Optional.of(new CertificateSecrets.Expiries(
                        NOW.plus(Duration.ofDays(80)), NOW.plus(Duration.ofDays(200)), byAuthority)));
        return status;
    }

    @Test
    void aCaWithinNinetyDaysIsWarnedAboutOnceADay() {
        MutableClock clock = new MutableClock(NOW);
        Map<String, Instant> expiries = Map.of(
                "cluster-ca", NOW.plus(Duration.ofDays(80)),
                "etcd-ca", NOW.plus(Duration.ofDays(3000)));
        SKSClusterStatus status = reported(expiries, new SKSClusterStatus());

        var due = ClusterStatusReport.expiryWarningsDue(status, clock);
        assertThat(due).extracting(Map.Entry::getKey).containsExactly("cluster-ca");
        assertThat(ClusterEvents.authoritiesExpiring(due)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.Warning);
            assertThat(e.reason()).isEqualTo("CertificateAuthorityExpiring");
            assertThat(e.message()).contains("cluster-ca").contains("sks.operator.dev/rotate-cluster-ca");
        });

        // Reconciled again within the day (the warning time survives the next report): nothing.
        clock.advance(Duration.ofHours(23));
        status = reported(expiries, status);
        assertThat(ClusterStatusReport.expiryWarningsDue(status, clock)).isEmpty();
        clock.advance(Duration.ofHours(1));
        assertThat(ClusterStatusReport.expiryWarningsDue(status, clock))
                .extracting(Map.Entry::getKey)
                .containsExactly("cluster-ca");
    }

    @Test
    void aRotatedCaStartsUnwarned() {
        MutableClock clock = new MutableClock(NOW);
        SKSClusterStatus status = reported(Map.of("cluster-ca", NOW.plus(Duration.ofDays(10))), new SKSClusterStatus());
        assertThat(ClusterStatusReport.expiryWarningsDue(status, clock)).hasSize(1);
        status = reported(Map.of("cluster-ca", NOW.plus(Duration.ofDays(3650))), status);
        assertThat(status.certificates.authorities)
                .singleElement()
                .extracting(a -> a.expiryWarningTime)
                .isNull();
        assertThat(ClusterStatusReport.expiryWarningsDue(status, clock)).isEmpty();
    }

    @Test
    void oneSeriesPerCaKindAndNoneForANameOutsideTheSet() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(
                new ObjectMetaBuilder().withName("prod").withNamespace("team").build());
        SKSClusterStatus status = reported(
                Map.of("cluster-ca", NOW.plus(Duration.ofDays(80)), "etcd-ca", NOW.plus(Duration.ofDays(90))),
                new SKSClusterStatus());
        status.certificates.authorities.add(
                new SKSClusterAuthorityExpiry("someone-elses", "2030-01-01T00:00:00Z", null));
        cluster.setStatus(status);

        List<Series> series = FleetMetrics.series(
                        new FleetMetrics.Fleet(List.of(cluster), List.of(), List.of(), List.of()),
                        dev.operator.sks.catalog.VersionCatalog.loadDefault())
                .stream()
                .filter(s -> s.metric().equals(FleetMetrics.CERTIFICATE_EXPIRY))
                .toList();
        assertThat(series)
                .extracting(Series::labels)
                .containsExactlyInAnyOrder(
                        Map.of("namespace", "team", "cluster", "prod", "certificate", "cluster-ca"),
                        Map.of("namespace", "team", "cluster", "prod", "certificate", "etcd-ca"));
        assertThat(series)
                .filteredOn(s -> s.labels().get("certificate").equals("cluster-ca"))
                .singleElement()
                .extracting(Series::value)
                .isEqualTo((double) NOW.plus(Duration.ofDays(80)).getEpochSecond());
    }
}
