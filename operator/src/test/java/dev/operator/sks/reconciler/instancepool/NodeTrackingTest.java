package dev.operator.sks.reconciler.instancepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.NodeProof;
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
        assertThat(NodeTracking.request(desired, observed, List.of()))
                .isEqualTo(PoolNodes.Request.of(desired, List.of(running), List.of()));
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
                NodeTracking.request(desired, observed, List.of()),
                new PoolNodes.Result(
                        true, "Registered", "1 Nodes registered and Ready", Set.of("pool-1", "pool-2"), Set.of())));

        NodeTracking.markRegistered(List.of(up, booting, unregistered), last);
        assertThat(up.nodeName).isEqualTo("pool-1");
        assertThat(booting.nodeName).isNull();
        assertThat(unregistered.nodeName).isNull();

        // Before any sync (a restarted operator) what the status said stands: readiness is not lost, nor invented.
        NodeTracking.markRegistered(List.of(up, unregistered), Optional.empty());
        assertThat(up.nodeName).isEqualTo("pool-1");
        assertThat(unregistered.nodeName).isNull();
    }

    @Test
    void instancesNotReadyCarryWhenTheyStoppedBeing() {
        Instance up = running.toStatus();
        Instance sick = new ProviderInstance("id-4", "pool-4", InstanceState.Running, List.of()).toStatus();
        Instance never = new ProviderInstance("id-5", "pool-5", InstanceState.Running, List.of()).toStatus();
        never.createdAt = "2026-01-01T00:00:00Z";
        up.notReadySince = "2026-01-01T00:00:00Z";
        var last = Optional.of(new KeyedWork.Outcome<>(
                NodeTracking.request(desired, observed, List.of()),
                new PoolNodes.Result(
                        false,
                        "WaitingForNodes",
                        "1 of 3",
                        Set.of("pool-1"),
                        Set.of(),
                        java.util.Map.of("pool-4", java.time.Instant.parse("2026-01-02T03:04:05Z")))));

        NodeTracking.markRegistered(List.of(up, sick, never), last);
        assertThat(up.notReadySince).isNull();
        assertThat(sick.notReadySince).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(never.notReadySince).as("never registered: since first seen").isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void instancesKeepWhatTheyWereMadeFromAndNewOnesGetThePoolsRevision() {
        var before = new dev.operator.sks.api.InstancePoolStatus();
        Instance known = running.toStatus();
        known.revision = "r1";
        known.version = "1.33.4";
        known.createdAt = "2026-01-01T00:00:00Z";
        before.instances = List.of(known);
        ProviderInstance fresh = new ProviderInstance("id-9", "pool-9", InstanceState.Running, List.of());

        List<Instance> now = NodeTracking.remember(
                List.of(running, fresh), before, "r2", "1.34.1", java.time.Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(now)
                .extracting(i -> i.name + "/" + i.revision + "/" + i.version + "/" + i.createdAt)
                .containsExactly("pool-1/r1/1.33.4/2026-01-01T00:00:00Z", "pool-9/r2/1.34.1/2026-02-01T00:00:00Z");
    }

    @Test
    void nodesInSyncAreLookedAtAgainOnlyForRealMachines() {
        PoolNodes.Request request = NodeTracking.request(desired, observed, List.of());
        var synced = Optional.of(new KeyedWork.Outcome<>(
                request,
                new PoolNodes.Result(true, "Registered", "1 Nodes registered and Ready", Set.of("pool-1"), Set.of())));

        assertThat(NodeTracking.lookAgain(synced, request, true, () -> RETRY)).isEmpty();
        assertThat(NodeTracking.lookAgain(synced, request, false, () -> RETRY)).contains(PoolNodes.OBSERVE_INTERVAL);
    }

    @Test
    void aSimulatedPoolWithStoppedKubeletsIsLookedAtAgainSoonSinceItsNodesTurnNotReadyWithoutAnEvent() {
        PoolNodes.Request request =
                NodeTracking.request(desired, observed, List.of()).withHeartbeatsStopped(Set.of("pool-1"));
        var synced = Optional.of(new KeyedWork.Outcome<>(
                request,
                new PoolNodes.Result(true, "Registered", "0 Nodes registered and Ready", Set.of("pool-1"), Set.of())));

        assertThat(NodeTracking.lookAgain(synced, request, true, () -> RETRY))
                .contains(PoolNodes.STOPPED_RESYNC_INTERVAL);
        assertThat(PoolNodes.STOPPED_RESYNC_INTERVAL).isLessThan(PoolNodes.OBSERVE_INTERVAL);
        // And the background sync is due again as soon, not after the 10 minutes of a pool whose kubelets all beat.
        assertThat(PoolNodes.resyncAfter(request)).isEqualTo(PoolNodes.STOPPED_RESYNC_INTERVAL);
        assertThat(PoolNodes.resyncAfter(NodeTracking.request(desired, observed, List.of())))
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void nodesOutOfSyncAreLookedAtAgainAfterTheRetryOrTheObserveIntervalWhicheverIsSooner() {
        PoolNodes.Request request = NodeTracking.request(desired, observed, List.of());
        var stale = Optional.of(new KeyedWork.Outcome<>(
                PoolNodes.Request.of(desired, List.of(), List.of()),
                new PoolNodes.Result(true, "Registered", "0 Nodes registered and Ready", Set.of(), Set.of())));

        assertThat(NodeTracking.lookAgain(Optional.empty(), request, true, () -> RETRY))
                .contains(RETRY);
        assertThat(NodeTracking.lookAgain(stale, request, true, () -> RETRY)).contains(RETRY);
        Duration longer = PoolNodes.OBSERVE_INTERVAL.plusMinutes(5);
        assertThat(NodeTracking.lookAgain(stale, request, false, () -> longer)).contains(PoolNodes.OBSERVE_INTERVAL);
    }

    @Test
    void instancesTheLastStatusListedAndTheProviderNoLongerHasAreDepartedUntilTheirNodesAreGone() {
        InstancePoolStatus before = new InstancePoolStatus();
        Instance gone = new ProviderInstance("id-9", "pool-9", InstanceState.Running, List.of()).toStatus();
        Instance earlier = new Instance();
        earlier.name = "pool-8";
        earlier.id = "id-8";
        before.instances = List.of(running.toStatus(), gone);
        before.departed = List.of(earlier);

        List<NodeProof.Machine> departed = NodeTracking.departed(before, observed);

        assertThat(departed)
                .containsExactly(new NodeProof.Machine("pool-8", "id-8"), new NodeProof.Machine("pool-9", "id-9"));
        assertThat(NodeTracking.departed(null, observed)).isEmpty();
        PoolNodes.Request request = NodeTracking.request(desired, observed, departed);
        var removed = Optional.of(new KeyedWork.Outcome<>(
                request, new PoolNodes.Result(true, "Registered", "", Set.of("pool-1"), Set.of("pool-9"))));
        assertThat(NodeTracking.stillDeparted(departed, removed))
                .singleElement()
                .satisfies(i -> {
                    assertThat(i.name).isEqualTo("pool-8");
                    assertThat(i.id).isEqualTo("id-8");
                });
        assertThat(NodeTracking.stillDeparted(departed, Optional.empty())).hasSize(2);
    }

    @Test
    void aDeletedPoolsRequestRunsNothingAndHasEveryInstanceDeparted() {
        InstancePoolStatus last = new InstancePoolStatus();
        last.instances = List.of(running.toStatus(), starting.toStatus());
        PoolNodes.Request request = NodeTracking.allGone(desired, last);
        assertThat(request.running()).isEmpty();
        assertThat(request.departed()).extracting(NodeProof.Machine::name).containsExactly("pool-1", "pool-2");
    }

    @Test
    void theStopHeartbeatsSwitchNamesInstancesSeparatedByCommas() {
        assertThat(NodeTracking.heartbeatsStopped(pool)).isEmpty();
        pool.getMetadata()
                .setAnnotations(new java.util.HashMap<>(java.util.Map.of(
                        dev.operator.sks.naming.Labels.STOP_HEARTBEATS_ANNOTATION, " pool-1, ,pool-3 ")));
        assertThat(NodeTracking.heartbeatsStopped(pool)).containsExactlyInAnyOrder("pool-1", "pool-3");
        // A different switch is a different request, so the sync follows it at once.
        assertThat(NodeTracking.request(desired, observed, List.of()).withHeartbeatsStopped(Set.of("pool-1")))
                .isNotEqualTo(NodeTracking.request(desired, observed, List.of()));
        pool.getMetadata().getAnnotations().put(dev.operator.sks.naming.Labels.STOP_HEARTBEATS_ANNOTATION, "");
        assertThat(NodeTracking.heartbeatsStopped(pool)).isEmpty();
    }
}
