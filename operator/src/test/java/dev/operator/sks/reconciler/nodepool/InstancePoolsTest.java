package dev.operator.sks.reconciler.nodepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstancePoolsTest {
    private static final String NAME = "nodepool-workers-1234";

    private final Nodepool nodepool = nodepool("workers", "np-uid");

    @Test
    void theOwnPoolIsTheOneOfItsNameTheNodepoolControls() {
        InstancePool own = pool(NAME, nodepool);
        InstancePool foreign = pool(NAME, nodepool("workers", "another-uid"));
        InstancePool otherName = pool("nodepool-other-1234", nodepool);

        assertThat(InstancePools.own(List.of(foreign, otherName, own), nodepool, NAME))
                .containsSame(own);
        assertThat(InstancePools.own(List.of(foreign, otherName), nodepool, NAME))
                .isEmpty();
    }

    @Test
    void aSameNamedPoolTheNodepoolDoesNotControlIsAConflictNamingIt() {
        assertThat(InstancePools.conflict(Optional.empty(), nodepool)).isEmpty();
        assertThat(InstancePools.conflict(Optional.of(pool(NAME, nodepool)), nodepool))
                .isEmpty();
        assertThat(InstancePools.conflict(Optional.of(pool(NAME, nodepool("workers", "another-uid"))), nodepool))
                .hasValueSatisfying(
                        message -> assertThat(message).contains(NAME).doesNotContain("null"));
        assertThat(InstancePools.conflict(Optional.of(pool(NAME, null)), nodepool))
                .isPresent();
    }

    @Test
    void anAutoscaledPoolKeepsItsSizeWithinTheBounds() {
        nodepool.setSpec(new dev.operator.sks.api.NodepoolSpec());
        nodepool.getSpec().size = 7;
        assertThat(InstancePools.size(nodepool)).isEqualTo(7);
        nodepool.getSpec().autoscaling = new dev.operator.sks.api.NodepoolAutoscaling(1, 5);
        assertThat(InstancePools.size(nodepool)).isEqualTo(5);
        nodepool.getSpec().size = 0;
        assertThat(InstancePools.size(nodepool)).isEqualTo(1);
        nodepool.getSpec().size = 3;
        assertThat(InstancePools.size(nodepool)).isEqualTo(3);
        // Bounds the schema would refuse (min > max, stored by an API server without CEL) clamp nothing.
        nodepool.getSpec().autoscaling = new dev.operator.sks.api.NodepoolAutoscaling(4, 2);
        nodepool.getSpec().size = 9;
        assertThat(InstancePools.size(nodepool)).isEqualTo(9);
    }

    @Test
    void theInstancePoolBootsTheImageChosenForItAndNoneWhenNothingNamesOne() {
        dev.operator.sks.api.SKSCluster cluster = new dev.operator.sks.api.SKSCluster();
        cluster.setMetadata(
                new ObjectMetaBuilder().withName("demo").withNamespace("team-a").build());
        cluster.setSpec(new dev.operator.sks.api.SKSClusterSpec());
        nodepool.setSpec(new dev.operator.sks.api.NodepoolSpec());
        nodepool.getSpec().size = 1;
        nodepool.getSpec().instanceType = "standard.medium";
        assertThat(InstancePools.desired(nodepool, cluster, "id", List.of(), Optional.of("registry.example/node:v1"))
                        .getSpec()
                        .template)
                .isEqualTo("registry.example/node:v1");
        assertThat(InstancePools.desired(nodepool, cluster, "id", List.of(), Optional.empty())
                        .getSpec()
                        .template)
                .isNull();
        nodepool.getSpec().template = "Linux Debian 12 (Bookworm) 64-bit";
        assertThat(InstancePools.desired(nodepool, cluster, "id", List.of()).getSpec().template)
                .isEqualTo("Linux Debian 12 (Bookworm) 64-bit");
    }

    @Test
    void onlyASpecThatMovedIsWrittenAgain() {
        InstancePool observed = pool(NAME, nodepool);
        InstancePool same = pool(NAME, nodepool);
        same.setStatus(new InstancePoolStatus()); // status is not the spec
        assertThat(InstancePools.specChanged(observed, same)).isFalse();
        InstancePool bigger = pool(NAME, nodepool);
        bigger.getSpec().size = 4;
        assertThat(InstancePools.specChanged(observed, bigger)).isTrue();
    }

    @Test
    void evictionsAreDoneOnceThePoolReportsEveryNamedInstanceEvicted() {
        InstancePool pool = pool(NAME, nodepool);
        assertThat(InstancePools.evictionsDone(pool, List.of("a"))).isFalse();
        pool.setStatus(new InstancePoolStatus());
        pool.getStatus().evicted = null;
        assertThat(InstancePools.evictionsDone(pool, List.of("a"))).isFalse();
        pool.getStatus().evicted = List.of("a");
        assertThat(InstancePools.evictionsDone(pool, List.of("a", "b"))).isFalse();
        assertThat(InstancePools.evictionsDone(pool, List.of("a"))).isTrue();
        assertThat(InstancePools.evictionsDone(pool, List.of())).isFalse();
    }

    @Test
    void theEvictAnnotationIsReadSortedAndClearedByAJsonPointerEscapedPatch() {
        nodepool.getMetadata().setAnnotations(Map.of(Labels.EVICT_ANNOTATION, " b, a ,,a"));
        assertThat(InstancePools.evictions(nodepool)).containsExactly("a", "b");
        nodepool.getMetadata().setAnnotations(null);
        assertThat(InstancePools.evictions(nodepool)).isEmpty();
        assertThat(InstancePools.REMOVE_EVICT_ANNOTATION)
                .isEqualTo("[{\"op\":\"remove\",\"path\":\"/metadata/annotations/sks.operator.dev~1evict\"}]");
    }

    private static Nodepool nodepool(String name, String uid) {
        Nodepool nodepool = new Nodepool();
        nodepool.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("ns-1")
                .withUid(uid)
                .build());
        return nodepool;
    }

    private static InstancePool pool(String name, Nodepool controller) {
        InstancePool pool = new InstancePool();
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace("ns-1");
        if (controller != null) {
            meta.withOwnerReferences(Owners.controllerReferenceTo(controller));
        }
        pool.setMetadata(meta.build());
        pool.setSpec(new InstancePoolSpec());
        pool.getSpec().cluster = "alpha";
        pool.getSpec().size = 3;
        return pool;
    }
}
