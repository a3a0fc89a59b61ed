package dev.operator.sks.reconciler.nodepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.NodeDrains;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The orchestration of the machine decisions, without a server: what the InstancePool is told, what status keeps and
 * which Events are told, for a pool whose InstancePool status is given.
 */
class MachineLifecycleTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final ClusterKey CLUSTER = new ClusterKey("ns", "alpha");

    final MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    final List<String> events = new ArrayList<>();
    final EventRecorder recorder = (regarding, type, reason, message) -> events.add(type + " " + reason);
    final Map<String, Instant> deadlines = new HashMap<>();
    NodeDrains.Progress answer = new NodeDrains.Draining(2, "2 pods");

    final NodeDrains drains = new NodeDrains() {
        @Override
        public Progress drain(ClusterKey cluster, String node, Instant deadline) {
            deadlines.put(node, deadline);
            return answer;
        }

        @Override
        public void forget(ClusterKey cluster, String node) {}
    };

    final MachineLifecycle lifecycle = new MachineLifecycle(drains, recorder, clock);

    @Test
    void aScaleDownDrainsFirstAndTheDeadlineSurvivesARestart() {
        Nodepool nodepool = nodepool(2);
        NodepoolStatus status = new NodepoolStatus();
        InstancePool pool = pool(3, instance("a", "r1", 1), instance("b", "r1", 2), instance("c", "r1", 3));

        MachineLifecycle.Outcome first = lifecycle.step(nodepool, CLUSTER, status, Optional.of(pool), "r1", List.of());
        assertThat(first.size()).as("nothing goes before its drain is done").isEqualTo(3);
        assertThat(first.evict()).isEmpty();
        assertThat(status.draining).extracting(d -> d.machine + "/" + d.reason).containsExactly("c/ScaleDown");
        assertThat(deadlines.get("c")).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(events).contains("Normal DrainingMachine");

        // A new operator (the same status) minutes later asks with the same deadline, then removes the machine.
        clock.advance(Duration.ofMinutes(3));
        answer = new NodeDrains.TimedOut(1, "held by a PodDisruptionBudget");
        MachineLifecycle lifecycleAfterRestart = new MachineLifecycle(drains, recorder, clock);
        MachineLifecycle.Outcome second =
                lifecycleAfterRestart.step(nodepool, CLUSTER, status, Optional.of(pool), "r1", List.of());
        assertThat(deadlines.get("c")).isEqualTo(T0.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(10)));
        assertThat(second.size()).isEqualTo(2);
        assertThat(second.evict()).containsExactly("c");
        assertThat(status.draining).isEmpty();
        assertThat(events).contains("Warning DrainTimedOut", "Normal MachineRemoved");
    }

    @Test
    void aStaleInstancePoolStatusIsNotActedOn() {
        InstancePool pool = pool(3, instance("a", "r1", 1));
        pool.getMetadata().setGeneration(5L);
        pool.getStatus().observedGeneration = 4L;
        pool.getSpec().evict = List.of("x");
        MachineLifecycle.Outcome outcome =
                lifecycle.step(nodepool(1), CLUSTER, new NodepoolStatus(), Optional.of(pool), "r2", List.of());
        assertThat(outcome.size()).isEqualTo(3);
        assertThat(outcome.evict()).containsExactly("x");
        assertThat(events).isEmpty();
    }

    @Test
    void aNewRevisionAddsAMachineAndSaysItIsReplacing() {
        NodepoolStatus status = new NodepoolStatus();
        InstancePool pool = pool(2, instance("a", "r1", 1), instance("b", "r1", 2));
        MachineLifecycle.Outcome outcome =
                lifecycle.step(nodepool(2), CLUSTER, status, Optional.of(pool), "r2", List.of());
        assertThat(outcome.size()).isEqualTo(3);
        assertThat(status.updatedMachines).isZero();
        assertThat(status.version).isEqualTo("1.33.4");
        assertThat(Conditions.find(status.conditions, Conditions.MACHINES_UP_TO_DATE))
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Replacing"));
        assertThat(events).contains("Normal MachineAdded");
    }

    @Test
    void tooManyUnhealthyMachinesRepairNoneAndSaySo() {
        NodepoolStatus status = new NodepoolStatus();
        Instance sick1 = instance("c", "r1", 3);
        Instance sick2 = instance("d", "r1", 4);
        for (Instance sick : List.of(sick1, sick2)) {
            sick.nodeName = null;
            sick.notReadySince = T0.toString();
        }
        InstancePool pool = pool(4, instance("a", "r1", 1), instance("b", "r1", 2), sick1, sick2);
        lifecycle.step(nodepool(4), CLUSTER, status, Optional.of(pool), "r1", List.of());
        assertThat(status.draining).isEmpty();
        assertThat(Conditions.find(status.conditions, Conditions.AUTO_REPAIR)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo(Conditions.FALSE);
            assertThat(c.getReason()).isEqualTo("TooManyUnhealthy");
            assertThat(c.getMessage()).contains("c, d", "maxUnhealthy");
        });

        // One unhealthy of four is repaired: drained first.
        sick2.nodeName = "d";
        sick2.notReadySince = null;
        lifecycle.step(nodepool(4), CLUSTER, status, Optional.of(pool), "r1", List.of());
        assertThat(status.draining).extracting(d -> d.machine + "/" + d.reason).containsExactly("c/Repair");
        assertThat(events).contains("Warning RepairingMachine");
        assertThat(Conditions.isTrue(status.conditions, Conditions.AUTO_REPAIR)).isTrue();
    }

    @Test
    void aNewMachineThatNeverGetsReadyStopsTheReplacement() {
        NodepoolStatus status = new NodepoolStatus();
        Instance late = instance("d", "r2", 0);
        late.nodeName = null;
        late.notReadySince = T0.toString();
        InstancePool pool = pool(4, instance("a", "r1", 1), instance("b", "r1", 2), instance("c", "r1", 3), late);
        MachineLifecycle.Outcome outcome =
                lifecycle.step(nodepool(3), CLUSTER, status, Optional.of(pool), "r2", List.of());
        assertThat(outcome.size()).isEqualTo(4);
        assertThat(status.draining).as("neither drained nor repaired").isEmpty();
        assertThat(Conditions.find(status.conditions, Conditions.MACHINES_UP_TO_DATE))
                .hasValueSatisfying(c -> {
                    assertThat(c.getReason()).isEqualTo("ReplacementStuck");
                    assertThat(c.getMessage()).contains("d");
                });
    }

    @Test
    void anEvictedMachineIsDrainedThenRemovedByName() {
        NodepoolStatus status = new NodepoolStatus();
        answer = new NodeDrains.Drained();
        InstancePool pool = pool(3, instance("a", "r1", 1), instance("b", "r1", 2), instance("c", "r1", 3));
        MachineLifecycle.Outcome outcome =
                lifecycle.step(nodepool(3), CLUSTER, status, Optional.of(pool), "r1", List.of("b", "gone"));
        assertThat(outcome.evict()).containsExactlyInAnyOrder("gone", "b");
        assertThat(outcome.size()).isEqualTo(2);
        assertThat(events).contains("Normal DrainingMachine", "Normal MachineEvicted");
    }

    static Nodepool nodepool(int size) {
        Nodepool nodepool = new Nodepool();
        nodepool.setMetadata(new ObjectMetaBuilder()
                .withName("workers")
                .withNamespace("ns")
                .withGeneration(1L)
                .build());
        nodepool.setSpec(new NodepoolSpec());
        nodepool.getSpec().size = size;
        nodepool.getSpec().cluster = "alpha";
        nodepool.getSpec().instanceType = "standard.medium";
        return nodepool;
    }

    static Instance instance(String name, String revision, int minute) {
        Instance instance = new Instance();
        instance.name = name;
        instance.id = "id-" + name;
        instance.state = "Running";
        instance.nodeName = name;
        instance.revision = revision;
        instance.version = "1.33.4";
        instance.createdAt = T0.plus(Duration.ofMinutes(minute)).toString();
        return instance;
    }

    static InstancePool pool(int size, Instance... instances) {
        InstancePool pool = new InstancePool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withName("nodepool-workers")
                .withNamespace("ns")
                .withGeneration(2L)
                .build());
        pool.setSpec(new InstancePoolSpec());
        pool.getSpec().size = size;
        pool.setStatus(new InstancePoolStatus());
        pool.getStatus().observedGeneration = 2L;
        pool.getStatus().instances = new ArrayList<>(List.of(instances));
        Conditions.set(
                pool.getStatus().conditions, Conditions.NODES_REGISTERED, true, "Registered", "ok", 2L, clockAt());
        return pool;
    }

    private static java.time.Clock clockAt() {
        return java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC);
    }
}
