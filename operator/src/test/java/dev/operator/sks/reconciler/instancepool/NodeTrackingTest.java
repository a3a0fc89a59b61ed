package dev.operator.sks.reconciler.instancepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.PoolNodes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeTrackingTest {
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final InstancePool pool = PoolOwnershipTest.pool(
            Names.instancePool("workers", "np-uid"), "alpha", PoolOwnershipTest.nodepool("alpha"));
    private final DesiredPool desired = DesiredPool.from(
            pool, InstanceTypeCatalog.loadDefault().find("standard.medium").orElseThrow(), "");
    private final ProviderInstance running =
            new ProviderInstance("id-1", "pool-1", InstanceState.Running, List.of("10.0.0.1"));
    private final ProviderInstance starting =
            new ProviderInstance("id-2", "pool-2", InstanceState.Starting, List.of("10.0.0.2"));
    private final ProviderInstance leaving =
            new ProviderInstance("id-3", "pool-3", InstanceState.Stopping, List.of("10.0.0.3"));
    private final ProviderPool observed = new ProviderPool("p-1", List.of(running, starting, leaving));

    @Test
    void onlyRunningMembersAreAskedForNodes() {
        assertThat(NodeTracking.request(desired, observed)).isEqualTo(PoolNodes.Request.of(desired, List.of(running)));
    }

    @Test
    void theServingApproverKnowsEveryMembersAddressesButNotThoseOnTheirWayOut() {
        assertThat(NodeTracking.addressesByNode(observed))
                .containsOnlyKeys("pool-1", "pool-2")
                .containsEntry("pool-1", List.of("10.0.0.1"));
    }

    @Test
    void onlyRunningInstancesWithAReadyNodeNameTheirNode() {
        Instance up = running.toStatus();
        Instance booting = starting.toStatus();
        Instance unregistered = new ProviderInstance("id-4", "pool-4", InstanceState.Running, List.of()).toStatus();
        unregistered.nodeName = "stale";
        var last = Optional.of(new KeyedWork.Outcome<>(
                NodeTracking.request(desired, observed),
                new PoolNodes.Result(true, "Registered", "1 Nodes registered and Ready", Set.of("pool-1", "pool-2"))));

        NodeTracking.markRegistered(List.of(up, booting, unregistered), last);
        assertThat(up.nodeName).isEqualTo("pool-1");
        assertThat(booting.nodeName).isNull();
        assertThat(unregistered.nodeName).isNull();

        NodeTracking.markRegistered(List.of(up), Optional.empty());
        assertThat(up.nodeName).isNull();
    }

    @Test
    void nodesInSyncAreLookedAtAgainOnlyForRealMachines() {
        PoolNodes.Request request = NodeTracking.request(desired, observed);
        var synced = Optional.of(new KeyedWork.Outcome<>(
                request, new PoolNodes.Result(true, "Registered", "1 Nodes registered and Ready", Set.of("pool-1"))));

        assertThat(NodeTracking.lookAgain(synced, request, true, () -> RETRY)).isEmpty();
        assertThat(NodeTracking.lookAgain(synced, request, false, () -> RETRY)).contains(PoolNodes.OBSERVE_INTERVAL);
    }

    @Test
    void nodesOutOfSyncAreLookedAtAgainAfterTheRetryOrTheObserveIntervalWhicheverIsSooner() {
        PoolNodes.Request request = NodeTracking.request(desired, observed);
        var stale = Optional.of(new KeyedWork.Outcome<>(
                PoolNodes.Request.of(desired, List.of()),
                new PoolNodes.Result(true, "Registered", "0 Nodes registered and Ready", Set.of())));

        assertThat(NodeTracking.lookAgain(Optional.empty(), request, true, () -> RETRY))
                .contains(RETRY);
        assertThat(NodeTracking.lookAgain(stale, request, true, () -> RETRY)).contains(RETRY);
        Duration longer = PoolNodes.OBSERVE_INTERVAL.plusMinutes(5);
        assertThat(NodeTracking.lookAgain(stale, request, false, () -> longer)).contains(PoolNodes.OBSERVE_INTERVAL);
    }
}
