package dev.operator.sks.reconciler.instancepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.reconciler.nodepool.PoolCondition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolOwnershipTest {
    private static final String OWN = Names.instancePool("workers", "np-uid");

    @Test
    void theNodepoolsOwnPoolForItsClusterIsOwned() {
        Nodepool owner = nodepool("alpha");
        assertThat(PoolOwnership.judge(pool(OWN, "alpha", owner), Optional.of(owner)))
                .isInstanceOfSatisfying(
                        PoolOwnership.Owned.class, o -> assertThat(o.nodepool()).isSameAs(owner));
    }

    @Test
    void aPoolWithoutAControllingNodepoolIsRefused() {
        PoolOwnership.Verdict verdict = PoolOwnership.judge(pool("hand-made", "alpha", null), Optional.empty());
        assertThat(verdict).isInstanceOf(PoolOwnership.Refused.class);
        PoolCondition ready = InstancePoolReport.ownership(verdict);
        assertThat(ready.status()).isFalse();
        assertThat(ready.reason()).isEqualTo("NotOwnedByNodepool");
        assertThat(ready.message()).contains("hand-made", "no controller reference to a Nodepool", "Delete it");
    }

    @Test
    void aNodepoolThatIsGoneOrAnotherOfTheSameNameIsNoOwner() {
        Nodepool owner = nodepool("alpha");
        InstancePool pool = pool(OWN, "alpha", owner);
        assertThat(PoolOwnership.judge(pool, Optional.empty()))
                .isInstanceOfSatisfying(
                        PoolOwnership.Refused.class,
                        r -> assertThat(r.message()).contains("does not exist"));
        Nodepool recreated = nodepool("alpha");
        recreated.getMetadata().setUid("other-uid");
        assertThat(PoolOwnership.judge(pool, Optional.of(recreated))).isInstanceOf(PoolOwnership.Refused.class);
    }

    @Test
    void aPoolNamingAnotherClusterThanItsNodepoolsIsRefused() {
        Nodepool owner = nodepool("alpha");
        assertThat(PoolOwnership.judge(pool(OWN, "beta", owner), Optional.of(owner)))
                .isInstanceOfSatisfying(
                        PoolOwnership.Refused.class,
                        r -> assertThat(r.message()).contains("belongs to cluster alpha", "names cluster beta"));
        // A second pool pointing at a real Nodepool: only the one the Nodepool makes is its own.
        assertThat(PoolOwnership.judge(pool("copy", "alpha", owner), Optional.of(owner)))
                .isInstanceOfSatisfying(
                        PoolOwnership.Refused.class,
                        r -> assertThat(r.message()).contains(OWN));
    }

    @Test
    void aPoolWhoseNodepoolIsNotAcceptedYetWaits() {
        Nodepool owner = nodepool("alpha");
        owner.setStatus(new NodepoolStatus());
        PoolOwnership.Verdict verdict = PoolOwnership.judge(pool(OWN, "alpha", owner), Optional.of(owner));
        assertThat(verdict).isInstanceOf(PoolOwnership.Waiting.class);
        assertThat(InstancePoolReport.ownership(verdict).reason()).isEqualTo("WaitingForNodepool");
    }

    @Test
    void aControllerOfAnotherKindIsNotANodepool() {
        InstancePool pool = pool(OWN, "alpha", null);
        pool.getMetadata()
                .setOwnerReferences(java.util.List.of(new OwnerReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("ConfigMap")
                        .withName("workers")
                        .withUid("np-uid")
                        .withController(true)
                        .build()));
        assertThat(PoolOwnership.nodepoolController(pool)).isEmpty();
    }

    @Test
    void onlyANodepoolRecordingItsClusterWakesItsPool() {
        Nodepool before = nodepool("alpha");
        before.setStatus(new NodepoolStatus());
        Nodepool accepted = nodepool("alpha");
        assertThat(PoolOwnership.bindingChanged(accepted, before)).isTrue();
        Nodepool counted = nodepool("alpha");
        counted.getStatus().readyNodes = 3;
        assertThat(PoolOwnership.bindingChanged(counted, accepted)).isFalse();
    }

    @Test
    void aPoolWhoseClusterIsGoneIsDetachedButStillOwnsItsMachines() {
        Nodepool owner = nodepool("alpha");
        owner.getStatus()
                .conditions
                .add(new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType("Ready")
                        .withStatus("False")
                        .withReason("ClusterReplaced")
                        .withMessage("replaced")
                        .build());
        PoolOwnership.Verdict verdict = PoolOwnership.judge(pool(OWN, "alpha", owner), Optional.of(owner));
        assertThat(verdict).isInstanceOf(PoolOwnership.Detached.class);
        assertThat(PoolOwnership.ownsMachines(verdict)).isTrue();
        PoolCondition ready = InstancePoolReport.ownership(verdict);
        assertThat(ready.reason()).isEqualTo("ClusterReplaced");
        assertThat(ready.message()).contains("cluster alpha", "join no other cluster");
        assertThat(PoolOwnership.bindingChanged(owner, nodepool("alpha"))).isTrue();
        assertThat(PoolOwnership.ownsMachines(PoolOwnership.judge(pool("x", "alpha", null), Optional.empty())))
                .isFalse();
    }

    @Test
    void onlyAPoolOwningMachinesOfAKnownTypeIsDeletedThroughTheProvider() {
        Nodepool owner = nodepool("alpha");
        InstancePool own = pool(OWN, "alpha", owner);
        own.setStatus(new InstancePoolStatus());
        own.getStatus().providerId = "provider-pool-1";
        Optional<InstanceType> type = InstanceTypeCatalog.loadDefault().find("standard.medium");
        PoolOwnership.Verdict owned = PoolOwnership.judge(own, Optional.of(owner));

        assertThat(PoolOwnership.machinesToDelete(own, owned, type)).hasValueSatisfying(desired -> {
            assertThat(desired.providerId()).contains("provider-pool-1");
            assertThat(desired.key())
                    .isEqualTo(DesiredPool.from(own, type.orElseThrow(), "").key());
        });
        assertThat(PoolOwnership.machinesToDelete(own, owned, Optional.empty())).isEmpty();
        InstancePool handMade = pool("hand-made", "alpha", null);
        assertThat(PoolOwnership.machinesToDelete(handMade, PoolOwnership.judge(handMade, Optional.empty()), type))
                .isEmpty();
        InstancePool waiting = pool(OWN, "alpha", nodepool(null));
        assertThat(PoolOwnership.machinesToDelete(
                        waiting, PoolOwnership.judge(waiting, Optional.of(nodepool(null))), type))
                .isEmpty();
    }

    @Test
    void aNodepoolWakesItsOwnPoolAndAPoolLooksUpItsController() {
        Nodepool owner = nodepool("alpha");
        assertThat(PoolOwnership.ownPool(owner)).singleElement().satisfies(id -> {
            assertThat(id.getName()).isEqualTo(OWN);
            assertThat(id.getNamespace()).contains("ns-1");
        });
        assertThat(PoolOwnership.controllingNodepool(pool("copy", "alpha", owner)))
                .singleElement()
                .satisfies(id -> assertThat(id.getName()).isEqualTo("workers"));
        assertThat(PoolOwnership.controllingNodepool(pool("copy", "alpha", null)))
                .isEmpty();
    }

    static Nodepool nodepool(String cluster) {
        Nodepool nodepool = new Nodepool();
        nodepool.setMetadata(new ObjectMetaBuilder()
                .withName("workers")
                .withNamespace("ns-1")
                .withUid("np-uid")
                .build());
        nodepool.setStatus(new NodepoolStatus());
        nodepool.getStatus().cluster = cluster;
        nodepool.getStatus().clusterUID = cluster + "-uid";
        return nodepool;
    }

    static InstancePool pool(String name, String cluster, Nodepool controller) {
        InstancePool pool = new InstancePool();
        ObjectMetaBuilder meta =
                new ObjectMetaBuilder().withName(name).withNamespace("ns-1").withUid(name + "-uid");
        if (controller != null) {
            meta.withOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion(controller.getApiVersion())
                    .withKind(controller.getKind())
                    .withName(controller.getMetadata().getName())
                    .withUid(controller.getMetadata().getUid())
                    .withController(true)
                    .build());
        }
        pool.setMetadata(meta.build());
        pool.setSpec(new InstancePoolSpec());
        pool.getSpec().cluster = cluster;
        pool.getSpec().size = 5;
        pool.getSpec().instanceType = "standard.medium";
        pool.getSpec().userDataSecretName = Names.userData(name);
        return pool;
    }
}
