package dev.operator.sks.reconciler.nodepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodepoolReportTest {
    private static final String POOL = "nodepool-workers-1234";

    @Test
    void aPoolWithoutItsInstancePoolIsProvisioning() {
        NodepoolReport.Report report = NodepoolReport.of(POOL, 3, Optional.empty(), null);
        assertThat(report.state()).isEqualTo(PoolState.Creating);
        assertThat(report.ready().status()).isFalse();
        assertThat(report.ready().reason()).isEqualTo("Provisioning");
        assertThat(report.ready().message()).contains(POOL);
    }

    @Test
    void machinesOnTheirWayAreConvergingAndAPoolThatRanIsScaling() {
        InstancePool pool = pool(3, 1, 0, nodes("Registering", "registering"));
        NodepoolReport.Report first = NodepoolReport.of(POOL, 3, Optional.of(pool), PoolState.Creating);
        assertThat(first.state()).isEqualTo(PoolState.Creating);
        assertThat(first.ready().reason()).isEqualTo("Converging");
        assertThat(first.ready().message()).isEqualTo("1 of 3 instances running");
        assertThat(NodepoolReport.of(POOL, 5, Optional.of(pool), PoolState.Running)
                        .state())
                .isEqualTo(PoolState.Scaling);
    }

    @Test
    void thePoolsOwnTroubleIsPassedOn() {
        InstancePool pool = pool(1, 0, 0, nodes("Registering", "registering"));
        pool.getStatus().state = PoolState.Error;
        Conditions.set(
                pool.getStatus().conditions,
                Conditions.READY,
                false,
                "ProviderError",
                "exoscale: quota exceeded",
                1L,
                java.time.Clock.systemUTC());
        NodepoolReport.Report report = NodepoolReport.of(POOL, 1, Optional.of(pool), PoolState.Running);
        assertThat(report.state()).isEqualTo(PoolState.Error);
        assertThat(report.ready().reason()).isEqualTo("ProviderError");
        assertThat(report.ready().message()).isEqualTo("exoscale: quota exceeded");
    }

    @Test
    void readyOnlyOnceEveryInstanceRunsWithAReadyNode() {
        NodepoolReport.Report ready = NodepoolReport.of(
                POOL,
                3,
                Optional.of(pool(3, 3, 3, nodes("Registered", "3 Nodes registered and Ready"))),
                PoolState.Creating);
        assertThat(ready.readyNodes()).isEqualTo(3);
        assertThat(ready.ready().status()).isTrue();
        assertThat(ready.ready().reason()).isEqualTo("Running");

        NodepoolReport.Report notReady = NodepoolReport.of(
                POOL,
                3,
                Optional.of(pool(3, 3, 1, nodes("WaitingForNodes", "1 of 3 running instances have a Ready Node"))),
                PoolState.Running);
        assertThat(notReady.state()).as("the machines run").isEqualTo(PoolState.Running);
        assertThat(notReady.readyNodes()).isEqualTo(1);
        assertThat(notReady.ready().status()).isFalse();
        assertThat(notReady.ready().reason()).isEqualTo("WaitingForNodes");
        assertThat(notReady.ready().message()).contains("3 of 3 instances running", "1 of 3 with a Ready Node");
    }

    @Test
    void anUnreachableTenantIsSaidAndNeverReady() {
        NodepoolReport.Report report = NodepoolReport.of(
                POOL,
                1,
                Optional.of(pool(1, 1, 0, nodes("TenantUnreachable", "the API server does not answer"))),
                PoolState.Creating);
        assertThat(report.state()).isEqualTo(PoolState.Running);
        assertThat(report.readyNodes()).isZero();
        assertThat(report.ready().status()).isFalse();
        assertThat(report.ready().reason()).isEqualTo("TenantUnreachable");
        assertThat(report.ready().message()).contains("cannot be counted", "the API server does not answer");
    }

    @Test
    void anEmptyPoolIsReady() {
        NodepoolReport.Report report = NodepoolReport.of(
                POOL,
                0,
                Optional.of(pool(0, 0, 0, nodes("Registered", "0 Nodes registered and Ready"))),
                PoolState.Creating);
        assertThat(report.ready().status()).isTrue();
        assertThat(report.ready().message()).contains("no instances");
    }

    @Test
    void userDataConditionsSayWhatTheJoinMaterialDid() {
        assertThat(NodepoolReport.userData(new JoinMaterial.Ready("s", true, "d"))
                        .status())
                .isTrue();
        PoolCondition waiting = NodepoolReport.userData(new JoinMaterial.Waiting("WaitingForEndpoint", "no endpoint"));
        assertThat(waiting.status()).isFalse();
        assertThat(waiting.reason()).isEqualTo("WaitingForEndpoint");
        PoolCondition conflict = NodepoolReport.userData(new JoinMaterial.Conflicting(
                new NameConflict("Secret", "x"), "Secret x exists and was not made for InstancePool p"));
        assertThat(conflict.status()).isFalse();
        assertThat(conflict.reason()).isEqualTo(NameConflict.REASON);
    }

    @Test
    void eventsSayFromWhatToWhat() {
        assertThat(NodepoolReport.scaled(POOL, 50, 3)).contains(POOL, "from 50 to 3");
        assertThat(NodepoolReport.evicted(List.of("pool-a", "pool-b"))).contains("pool-a, pool-b");
    }

    @Test
    void noMessageSaysNull() {
        InstancePool bare = pool(0, 0, 0, null);
        bare.getStatus().size = null;
        bare.getStatus().runningInstances = null;
        bare.getStatus().instances = null;
        for (int wanted : new int[] {0, 2}) {
            for (InstancePool pool :
                    List.of(bare, pool(2, 2, 0, null), pool(2, 2, 0, nodes("TenantUnreachable", null)))) {
                assertThat(NodepoolReport.of(POOL, wanted, Optional.of(pool), null)
                                .ready()
                                .message())
                        .doesNotContain("null");
            }
        }
    }

    /** An InstancePool reporting {@code size} instances, {@code running} of them running, {@code ready} with Nodes. */
    static InstancePool pool(int size, int running, int ready, io.fabric8.kubernetes.api.model.Condition nodes) {
        InstancePool pool = new InstancePool();
        InstancePoolStatus status = new InstancePoolStatus();
        status.size = size;
        status.runningInstances = running;
        status.instances = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Instance instance = new Instance();
            instance.name = "pool-" + i;
            instance.state = i < running ? "Running" : "Starting";
            instance.nodeName = i < ready ? instance.name : null;
            status.instances.add(instance);
        }
        if (nodes != null) {
            status.conditions.add(nodes);
        }
        pool.setStatus(status);
        return pool;
    }

    static io.fabric8.kubernetes.api.model.Condition nodes(String reason, String message) {
        return new ConditionBuilder()
                .withType(Conditions.NODES_REGISTERED)
                .withStatus("Registered".equals(reason) ? Conditions.TRUE : Conditions.FALSE)
                .withReason(reason)
                .withMessage(message)
                .build();
    }
}
