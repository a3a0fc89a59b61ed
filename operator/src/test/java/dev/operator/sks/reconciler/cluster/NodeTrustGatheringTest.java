package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.NodepoolUpgrade;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.UpgradeStrategy;
import dev.operator.sks.pki.NodeTrust;
import dev.operator.sks.pki.RotationPlan;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Rotatable;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the cluster reconciler gathers of its pools for a cluster-CA rotation, and how it tells a hold. */
class NodeTrustGatheringTest {
    static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("team-a")
                .withUid("uid-1")
                .build());
        return cluster;
    }

    static Nodepool pool(String name, String clusterUid, UpgradeStrategy strategy, boolean deleting) {
        Nodepool pool = new Nodepool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("team-a")
                .withGeneration(3L)
                .withDeletionTimestamp(deleting ? "2026-06-01T00:00:00Z" : null)
                .build());
        pool.setSpec(new NodepoolSpec());
        pool.getSpec().cluster = "demo";
        if (strategy != null) {
            pool.getSpec().upgrade = new NodepoolUpgrade();
            pool.getSpec().upgrade.strategy = strategy;
        }
        pool.setStatus(new NodepoolStatus());
        pool.getStatus().clusterUID = clusterUid;
        pool.getStatus().observedGeneration = 3L;
        pool.getStatus().trustedCA = "new";
        pool.getStatus().size = 3;
        pool.getStatus().updatedMachines = 1;
        return pool;
    }

    @Test
    void onlyPoolsAcceptedForTheClustersUidAndNotGoingCount() {
        List<NodeTrust.Pool> pools = KeyRotations.pools(
                cluster(),
                List.of(
                        pool("mine", "uid-1", null, false),
                        pool("evicted-by-hand", "uid-1", UpgradeStrategy.OnDelete, false),
                        // Names the cluster, accepted for an earlier one of the same name: not this cluster's.
                        pool("other", "uid-0", null, false),
                        pool("going", "uid-1", null, true)));
        assertThat(pools)
                .containsExactly(
                        new NodeTrust.Pool("mine", 3L, 3L, Optional.of("new"), 3, 1, false),
                        new NodeTrust.Pool("evicted-by-hand", 3L, 3L, Optional.of("new"), 3, 1, true));
    }

    @Test
    void aHoldIsToldOnceForEachChangeOfWhatItWaitsFor() {
        Optional<String> why =
                NodeTrust.holdBack("new", KeyRotations.pools(cluster(), List.of(pool("mine", "uid-1", null, false))));
        RotationPlan.Wait wait = new RotationPlan.Wait(RotationPlan.Phase.TRUSTING_NEW, Optional.empty(), why);
        KeyRotations.Report report =
                new KeyRotations.Report(Rotatable.CLUSTER_CA, wait, Optional.of("r1"), Optional.empty(), false, true);
        assertThat(ClusterEvents.keyRotations(new KeyRotations.Outcome(List.of(report), false)))
                .singleElement()
                .satisfies(event -> {
                    assertThat(event.reason()).isEqualTo("KeyRotationWaitingForNodes");
                    assertThat(event.message())
                            .contains("rotate-cluster-ca=r1")
                            .contains("2 of 3 machines of pool mine to be replaced with the new CA bundle");
                });
        KeyRotations.Report told =
                new KeyRotations.Report(Rotatable.CLUSTER_CA, wait, Optional.of("r1"), Optional.empty(), false, false);
        assertThat(ClusterEvents.keyRotations(new KeyRotations.Outcome(List.of(told), false)))
                .isEmpty();
    }
}
