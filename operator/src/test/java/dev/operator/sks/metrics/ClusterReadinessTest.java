package dev.operator.sks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.MutableClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Time to first Ready: measured once per cluster, from creation, and only for a first Ready. */
class ClusterReadinessTest {
    static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aFirstReadyIsMeasuredFromCreationOnTheOperatorsClock() {
        MutableClock clock = new MutableClock(CREATED);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterReadiness readiness = new ClusterReadiness(registry, clock);
        SKSCluster cluster = cluster("uid-1");
        clock.advance(Duration.ofSeconds(95));

        readiness.reported(cluster, creating(), ready());
        // The status write failed and the same reconcile ran again: still one observation.
        readiness.reported(cluster, creating(), ready());

        Timer timer = registry.get(FleetMetrics.TIME_TO_READY).timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(95);
    }

    @Test
    void onlyTheFirstReadyCounts() {
        Instant now = CREATED.plusSeconds(600);
        SKSCluster cluster = cluster("uid-2");
        SKSClusterStatus outage = ready();
        outage.version = "1.33.4";
        Conditions.set(outage.conditions, Conditions.READY, false, "RollingOut", "x", 1L, new MutableClock(now));

        assertThat(ClusterReadiness.timeToReady(cluster, null, ready(), now)).contains(Duration.ofSeconds(600));
        assertThat(ClusterReadiness.timeToReady(cluster, creating(), ready(), now))
                .contains(Duration.ofSeconds(600));
        assertThat(ClusterReadiness.timeToReady(cluster, outage, ready(), now)).isEmpty(); // ran before
        assertThat(ClusterReadiness.timeToReady(cluster, ready(), ready(), now)).isEmpty(); // already Ready
        assertThat(ClusterReadiness.timeToReady(cluster, creating(), creating(), now))
                .isEmpty(); // not Ready yet
    }

    @Test
    void aDeletedClusterIsForgottenAndClustersWithoutRegistryCostNothing() {
        MutableClock clock = new MutableClock(CREATED.plusSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterReadiness readiness = new ClusterReadiness(registry, clock);
        SKSCluster cluster = cluster("uid-3");
        readiness.reported(cluster, creating(), ready());
        readiness.forget(cluster);
        readiness.reported(cluster, creating(), ready());
        assertThat(registry.get(FleetMetrics.TIME_TO_READY).timer().count()).isEqualTo(2);

        ClusterReadiness.NONE.reported(cluster, creating(), ready()); // no registry: nothing to record, no error
    }

    static SKSCluster cluster(String uid) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("c")
                .withNamespace("ns")
                .withUid(uid)
                .withCreationTimestamp(CREATED.toString())
                .build());
        return cluster;
    }

    static SKSClusterStatus creating() {
        SKSClusterStatus status = new SKSClusterStatus();
        Conditions.set(status.conditions, Conditions.READY, false, "RollingOut", "x", 1L, new MutableClock(CREATED));
        return status;
    }

    static SKSClusterStatus ready() {
        SKSClusterStatus status = new SKSClusterStatus();
        Conditions.set(status.conditions, Conditions.READY, true, "Running", "x", 1L, new MutableClock(CREATED));
        return status;
    }
}
