package dev.operator.sks.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.NodepoolAutoscaling;
import dev.operator.sks.autoscaling.NodeGroups.Bounds;
import dev.operator.sks.autoscaling.NodeGroups.Group;
import dev.operator.sks.autoscaling.NodeGroups.Member;
import dev.operator.sks.autoscaling.NodeGroups.NodeRef;
import dev.operator.sks.autoscaling.NodeGroups.Refused;
import dev.operator.sks.autoscaling.NodeGroups.Resize;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeGroupsTest {

    private static Member member(String pool, String name, String id) {
        return new Member(name, id, NodeGroups.providerId("simulated", pool, name, id), name, "Running");
    }

    private static Member unregistered(String pool, String name, String id) {
        return new Member(name, id, NodeGroups.providerId("simulated", pool, name, id), null, "Starting");
    }

    private static final Group WORKERS = new Group(
            "id-workers",
            "workers",
            2,
            new Bounds(1, 4),
            List.of(member("ip-workers", "pool-a", "1"), member("ip-workers", "pool-b", "2")));
    private static final Group GPUS =
            new Group("id-gpus", "gpus", 1, new Bounds(0, 2), List.of(member("ip-gpus", "pool-c", "3")));

    @Test
    void boundsComeFromTheSpecAndAreLeftOutWhenTheyMakeNoSense() {
        assertThat(Bounds.of(new NodepoolAutoscaling(1, 3))).contains(new Bounds(1, 3));
        assertThat(Bounds.of(null)).isEmpty();
        assertThat(Bounds.of(new NodepoolAutoscaling(4, 3))).isEmpty();
        assertThat(Bounds.of(new NodepoolAutoscaling())).isEmpty();
        assertThatThrownBy(() -> new Bounds(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clampKeepsTheSizeWithinTheBounds() {
        Bounds bounds = new Bounds(1, 4);
        assertThat(bounds.clamp(0)).isEqualTo(1);
        assertThat(bounds.clamp(3)).isEqualTo(3);
        assertThat(bounds.clamp(9)).isEqualTo(4);
    }

    @Test
    void increaseGrowsUpToMaxSizeAndNoFurther() {
        assertThat(NodeGroups.increase(WORKERS, 2)).isEqualTo(new Resize(4, List.of()));
        assertThat(NodeGroups.increase(WORKERS, 3)).isInstanceOfSatisfying(Refused.class, r -> {
            assertThat(r.invalid()).isFalse();
            assertThat(r.message()).contains("desired 5, max 4").contains("workers");
        });
        assertThat(NodeGroups.increase(WORKERS, 0))
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.invalid()).isTrue());
        assertThat(NodeGroups.increase(WORKERS, Integer.MAX_VALUE)).isInstanceOf(Refused.class);
    }

    @Test
    void increaseFromZero() {
        Group empty = new Group("id", "np", 0, new Bounds(0, 3), List.of());
        assertThat(NodeGroups.increase(empty, 1)).isEqualTo(new Resize(1, List.of()));
    }

    @Test
    void decreaseTargetOnlyDropsMachinesWithoutANode() {
        Group pending = new Group(
                "id",
                "np",
                4,
                new Bounds(1, 5),
                List.of(member("ip", "pool-a", "1"), unregistered("ip", "pool-b", "2")));
        assertThat(NodeGroups.decreaseTarget(pending, -3)).isEqualTo(new Resize(1, List.of()));
        assertThat(NodeGroups.decreaseTarget(pending, -4))
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.message()).contains("existing nodes 1"));
        assertThat(NodeGroups.decreaseTarget(pending, 1))
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.invalid()).isTrue());
        Group atMin = new Group("id", "np", 2, new Bounds(2, 5), List.of());
        assertThat(NodeGroups.decreaseTarget(atMin, -1))
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.message()).contains("min 2"));
    }

    @Test
    void deleteNodesEvictsExactlyThoseAndLowersTheSize() {
        var change =
                NodeGroups.deleteNodes(WORKERS, List.of(new NodeRef("pool-b", "simulated://ip-workers/2")), List.of());
        assertThat(change).isEqualTo(new Resize(1, List.of("pool-b")));
    }

    @Test
    void deleteNodesMatchesAnUninitializedNodeByItsName() {
        var change = NodeGroups.deleteNodes(WORKERS, List.of(new NodeRef("pool-a", "")), List.of());
        assertThat(change).isEqualTo(new Resize(1, List.of("pool-a")));
    }

    @Test
    void deleteNodesNeverGoesBelowMinSize() {
        var change = NodeGroups.deleteNodes(
                WORKERS,
                List.of(
                        new NodeRef("pool-a", "simulated://ip-workers/1"),
                        new NodeRef("pool-b", "simulated://ip-workers/2")),
                List.of());
        assertThat(change)
                .isInstanceOfSatisfying(
                        Refused.class, r -> assertThat(r.message()).contains("min size reached"));
    }

    @Test
    void deleteNodesRefusesAllWhenOneNodeIsNotTheGroups() {
        // pool-c is GPUS's: naming it with one of ours changes nothing.
        var change = NodeGroups.deleteNodes(
                WORKERS,
                List.of(
                        new NodeRef("pool-a", "simulated://ip-workers/1"),
                        new NodeRef("pool-c", "simulated://ip-gpus/3")),
                List.of());
        assertThat(change).isInstanceOfSatisfying(Refused.class, r -> {
            assertThat(r.invalid()).isTrue();
            assertThat(r.message()).contains("pool-c");
        });
        // A Node named as our instance but carrying another machine's providerID is not ours either.
        assertThat(NodeGroups.deleteNodes(WORKERS, List.of(new NodeRef("pool-a", "simulated://ip-gpus/3")), List.of()))
                .isInstanceOf(Refused.class);
    }

    @Test
    void deleteNodesAlreadyEvictingAreNotCountedTwice() {
        Group evicting = new Group(
                "id", "np", 1, new Bounds(0, 4), List.of(member("ip", "pool-a", "1"), member("ip", "pool-b", "2")));
        var change =
                NodeGroups.deleteNodes(evicting, List.of(new NodeRef("pool-a", "simulated://ip/1")), List.of("pool-a"));
        assertThat(change).isEqualTo(new Resize(1, List.of("pool-a")));
    }

    @Test
    void groupForNodeGoesByProviderIdNeverByName() {
        List<Group> groups = List.of(WORKERS, GPUS);
        assertThat(NodeGroups.groupFor("pool-c", "simulated://ip-gpus/3", groups))
                .contains(GPUS);
        assertThat(NodeGroups.groupFor("pool-a", "simulated://ip-workers/1", groups))
                .contains(WORKERS);
        // A Node that took an instance's name but carries a foreign providerID belongs to no group.
        assertThat(NodeGroups.groupFor("pool-a", "simulated://elsewhere/9", groups))
                .isEmpty();
        // Not initialized yet: its name is all there is.
        assertThat(NodeGroups.groupFor("pool-b", "", groups)).contains(WORKERS);
        assertThat(NodeGroups.groupFor("stranger", null, groups)).isEmpty();
    }

    @Test
    void providerIdsFollowEachProvidersCloudController() {
        assertThat(NodeGroups.providerId("simulated", "ip", "pool-a", "abc")).isEqualTo("simulated://ip/abc");
        assertThat(NodeGroups.providerId("exoscale", "ip", "pool-a", "abc")).isEqualTo("exoscale://abc");
        assertThat(NodeGroups.providerId("kubevirt", "ip", "pool-a", "abc")).isEqualTo("kubevirt://pool-a");
    }
}
