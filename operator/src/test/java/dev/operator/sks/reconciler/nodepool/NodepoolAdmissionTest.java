package dev.operator.sks.reconciler.nodepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Decision;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Orphaned;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Refused;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Serve;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodepoolAdmissionTest {
    private static final Violation MOVED = new Violation(
            "ClusterImmutable",
            "spec.cluster cannot change from alpha " + "to beta; set it back, or create a new Nodepool for beta");

    @Test
    void aNewPoolIsServedForTheClusterItNamesAndBoundToItsUid() {
        Nodepool pool = nodepool("alpha", new NodepoolStatus());
        Decision decision =
                NodepoolAdmission.decide(pool, pool.getStatus(), Optional.of(cluster("alpha", "uid-a")), List.of());
        assertThat(decision).isInstanceOfSatisfying(Serve.class, serve -> {
            assertThat(serve.cluster().getMetadata().getUid()).isEqualTo("uid-a");
            assertThat(serve.specAccepted()).isTrue();
        });
        assertThat(NodepoolAdmission.accepted(decision, List.of()).status()).isTrue();
    }

    @Test
    void aNewPoolWithoutItsClusterOrWithAnInvalidSpecIsRefused() {
        Nodepool pool = nodepool("alpha", new NodepoolStatus());
        Decision missing = NodepoolAdmission.decide(pool, pool.getStatus(), Optional.empty(), List.of());
        assertThat(missing).isInstanceOfSatisfying(Refused.class, r -> {
            assertThat(r.reason()).isEqualTo("ClusterNotFound");
            assertThat(r.message()).contains("'alpha'", "ns-1");
        });
        Violation tooSmall = new Violation("InstanceTypeTooSmall", "too small");
        Decision invalid = NodepoolAdmission.decide(
                pool, pool.getStatus(), Optional.of(cluster("alpha", "uid-a")), List.of(tooSmall));
        assertThat(invalid)
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.reason()).isEqualTo("InstanceTypeTooSmall"));
        PoolCondition ready = NodepoolAdmission.notServed(invalid);
        assertThat(ready.status()).isFalse();
        assertThat(ready.reason()).isEqualTo("InstanceTypeTooSmall");
    }

    @Test
    void aRefusedClusterEditKeepsThePoolServingItsOwnCluster() {
        Nodepool pool = nodepool("beta", bound("alpha", "uid-a"));
        assertThat(NodepoolAdmission.clusterName(pool))
                .as("the name looked up is the accepted one")
                .isEqualTo("alpha");
        Decision decision = NodepoolAdmission.decide(
                pool, pool.getStatus(), Optional.of(cluster("alpha", "uid-a")), List.of(MOVED));
        assertThat(decision).isInstanceOfSatisfying(Serve.class, serve -> {
            assertThat(serve.cluster().getMetadata().getName()).isEqualTo("alpha");
            assertThat(serve.specAccepted()).isFalse();
        });
        PoolCondition accepted = NodepoolAdmission.accepted(decision, List.of(MOVED));
        assertThat(accepted.status()).isFalse();
        assertThat(accepted.reason()).isEqualTo("ClusterImmutable");
        assertThat(accepted.message()).contains("set it back", "keeps its last accepted spec, for cluster alpha");
    }

    @Test
    void aClusterDeletedOrCreatedAgainUnderItsNameIsNotThePoolsCluster() {
        Nodepool pool = nodepool("alpha", bound("alpha", "uid-a"));
        Decision gone = NodepoolAdmission.decide(pool, pool.getStatus(), Optional.empty(), List.of());
        assertThat(gone).isInstanceOfSatisfying(Orphaned.class, o -> {
            assertThat(o.reason()).isEqualTo("ClusterGone");
            assertThat(o.message()).contains("uid-a", "delete this Nodepool");
        });
        Decision replaced =
                NodepoolAdmission.decide(pool, pool.getStatus(), Optional.of(cluster("alpha", "uid-b")), List.of());
        assertThat(replaced).isInstanceOfSatisfying(Orphaned.class, o -> {
            assertThat(o.reason()).isEqualTo("ClusterReplaced");
            assertThat(o.message()).contains("uid-a", "uid-b");
        });
        assertThat(NodepoolAdmission.notServed(replaced).reason()).isEqualTo("ClusterReplaced");
        assertThat(NodepoolAdmission.accepted(replaced, List.of()).status()).isTrue();
    }

    @Test
    void aPoolAcceptedByNameBeforeUidsWereRecordedKeepsThatCluster() {
        NodepoolStatus legacy = new NodepoolStatus();
        legacy.cluster = "alpha";
        Nodepool pool = nodepool("beta", legacy);
        assertThat(NodepoolAdmission.clusterName(pool)).isEqualTo("alpha");
        assertThat(NodepoolAdmission.decide(pool, legacy, Optional.of(cluster("alpha", "uid-a")), List.of(MOVED)))
                .isInstanceOfSatisfying(
                        Serve.class,
                        s -> assertThat(s.cluster().getMetadata().getUid()).isEqualTo("uid-a"));
    }

    @Test
    void noMessageSaysNull() {
        Nodepool fresh = nodepool("alpha", new NodepoolStatus());
        Nodepool owned = nodepool("alpha", bound("alpha", "uid-a"));
        List<Decision> decisions = List.of(
                NodepoolAdmission.decide(fresh, fresh.getStatus(), Optional.empty(), List.of()),
                NodepoolAdmission.decide(owned, owned.getStatus(), Optional.empty(), List.of()),
                NodepoolAdmission.decide(owned, owned.getStatus(), Optional.of(cluster("alpha", "uid-b")), List.of()));
        for (Decision decision : decisions) {
            assertThat(NodepoolAdmission.notServed(decision).message()).doesNotContain("null");
            assertThat(NodepoolAdmission.accepted(decision, List.of(MOVED)).message())
                    .doesNotContain("null");
        }
    }

    static Nodepool nodepool(String cluster, NodepoolStatus status) {
        Nodepool pool = new Nodepool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withName("workers")
                .withNamespace("ns-1")
                .withUid("np-uid")
                .withGeneration(1L)
                .build());
        pool.setSpec(new NodepoolSpec());
        pool.getSpec().cluster = cluster;
        pool.getSpec().size = 3;
        pool.getSpec().instanceType = "standard.medium";
        pool.setStatus(status);
        return pool;
    }

    static NodepoolStatus bound(String cluster, String uid) {
        NodepoolStatus status = new NodepoolStatus();
        status.cluster = cluster;
        status.clusterUID = uid;
        return status;
    }

    static SKSCluster cluster(String name, String uid) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("ns-1")
                .withUid(uid)
                .build());
        return cluster;
    }
}
