package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.tenant.TenantBootstrap.Outcome;
import dev.operator.sks.tenant.TenantBootstrap.State;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantWorkTest {

    @Test
    void aSlowTenantNeverBlocksTheCallerAndRetriesBackOff() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TenantWork work = new TenantWork(
                cluster -> {
                    attempts.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new Outcome(State.UNREACHABLE, "TenantUnreachable", "connect timed out");
                },
                clock)) {
            TenantRequest.of(cluster()).hashCode(); // loads the serializer a request's fingerprint uses, once per JVM
            long start = System.nanoTime();
            assertThat(work.bootstrap(cluster())).isEmpty();
            assertThat(work.bootstrap(cluster())).as("one attempt at a time").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            release.countDown();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> work.retryAfter(cluster()).equals(Duration.ofSeconds(5)));
            assertThat(work.bootstrap(cluster()))
                    .hasValueSatisfying(o -> assertThat(o.reason()).isEqualTo("TenantUnreachable"));
            assertThat(attempts.get()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(6));
            work.bootstrap(cluster());
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            attempts.get() == 2 && work.retryAfter(cluster()).equals(Duration.ofSeconds(10)));
        }
        assertThat(TenantWork.backoff(20)).isEqualTo(Duration.ofMinutes(5));
    }

    private static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(
                new ObjectMetaBuilder().withName("demo").withNamespace("tenant").build());
        return cluster;
    }

    @Test
    void aChangeTheTenantWouldSeeRunsAtOnceAfterASuccessAndAnUnchangedClusterWaits() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (TenantWork work = new TenantWork(
                request -> {
                    attempts.incrementAndGet();
                    return new Outcome(State.APPLIED, "Applied", "applied");
                },
                clock)) {
            work.bootstrap(cluster());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> work.bootstrap(cluster()).isPresent());
            work.bootstrap(cluster());
            work.bootstrap(new TenantRequest(cluster(), java.util.Optional.empty()));
            assertThat(attempts.get()).as("the same cluster again is not due").isEqualTo(1);

            work.bootstrap(new TenantRequest(cluster(), java.util.Optional.of("EXO2")));
            await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == 2);
        }
    }
}
