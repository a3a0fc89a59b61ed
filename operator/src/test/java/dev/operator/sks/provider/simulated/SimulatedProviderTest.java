package dev.operator.sks.provider.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.ComputeProviderContract;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SimulatedProviderTest extends ComputeProviderContract {
    private final SimulatedProvider provider = new SimulatedProvider(Clock.systemUTC(), Duration.ZERO);

    @Override
    protected ComputeProvider provider() {
        return provider;
    }

    @Override
    protected String namespace() {
        return "team-a";
    }

    @Override
    protected int backendPoolsNamed(DesiredPool desired) {
        // The simulated backend keeps one pool per key; an empty reconcile shows whether it had one.
        return provider.evict(desired, List.of()).exists() ? 1 : 0;
    }

    @Override
    protected int backendInstances(DesiredPool desired) {
        return provider.evict(desired, List.of()).instances().size();
    }

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2030-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void instancesStartThenRunAfterTheDelay() {
        ManualClock clock = new ManualClock();
        SimulatedProvider delayed = new SimulatedProvider(clock, Duration.ofSeconds(5));
        DesiredPool desired = desiredPool(2);

        ProviderPool started = delayed.reconcile(desired);
        assertThat(started.instances()).extracting(ProviderInstance::state).containsOnly(InstanceState.Starting);

        clock.advance(Duration.ofSeconds(4));
        ProviderPool later = delayed.reconcile(desired.withSize(3)); // a third starts 4 s after the first two
        assertThat(later.instances()).extracting(ProviderInstance::state).containsOnly(InstanceState.Starting);

        clock.advance(Duration.ofSeconds(1));
        assertThat(delayed.reconcile(desired.withSize(3)).instances())
                .extracting(ProviderInstance::state)
                .containsExactly(InstanceState.Running, InstanceState.Running, InstanceState.Starting);

        clock.advance(Duration.ofSeconds(4));
        assertThat(delayed.reconcile(desired.withSize(3)).runningCount()).isEqualTo(3);
    }

    @Test
    void instancesAreNamedAfterThePrefixWithStableUuidsAndDistinctPrivateAddresses() {
        ProviderPool pool = provider.reconcile(desiredPool(20));
        assertThat(pool.instances()).allSatisfy(instance -> {
            assertThat(instance.name()).matches("pool-[a-z0-9]{5}");
            assertThat(java.util.UUID.fromString(instance.id())).isNotNull();
            assertThat(instance.addresses()).singleElement().asString().startsWith("10.");
        });
        Set<String> addresses = new HashSet<>();
        pool.instances().forEach(i -> addresses.addAll(i.addresses()));
        assertThat(addresses).hasSize(20);
    }

    @Test
    void scalingDownRemovesTheNewestFirst() {
        DesiredPool desired = desiredPool(4);
        List<ProviderInstance> four = provider.reconcile(desired).instances();
        assertThat(provider.reconcile(desired.withSize(2)).instances()).containsExactlyElementsOf(four.subList(0, 2));
    }

    @Test
    void poolsOfTheSameNameInTwoNamespacesAreApart() {
        DesiredPool here = desiredPool(2);
        DesiredPool there = new DesiredPool(
                "team-b",
                here.poolName(),
                here.cluster(),
                here.zone(),
                1,
                here.instanceType(),
                here.diskSizeGib(),
                here.template(),
                here.instancePrefix(),
                here.securityGroups(),
                here.antiAffinityGroups(),
                here.privateNetworks(),
                here.deployTarget(),
                here.nodeLabels(),
                here.taints(),
                here.userData(),
                here.userDataSecretName(),
                here.providerId());
        ProviderPool a = provider.reconcile(here);
        ProviderPool b = provider.reconcile(there);
        assertThat(a.providerId()).isNotEqualTo(b.providerId());
        assertThat(a.instances()).hasSize(2);
        assertThat(b.instances()).hasSize(1);
    }

    @Test
    void concurrentCallsOnOnePoolLeaveItConsistent() throws Exception {
        DesiredPool desired = desiredPool(0);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int size = i % 7;
                calls.add(threads.submit(() -> provider.reconcile(desired.withSize(size))));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            threads.shutdownNow();
        }
        ProviderPool pool = provider.reconcile(desired.withSize(5));
        assertThat(pool.instances()).hasSize(5);
        assertThat(pool.names()).hasSize(5);
    }
}
