package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.tenant.DrainPlan.PodRef;
import dev.operator.sks.tenant.DrainPlan.Skip;
import dev.operator.sks.tenant.DrainPlan.Skipped;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainPlanTest {

    @Test
    void evictsPlainAndControllerManagedPodsAndLeavesDaemonSetMirrorAndFinishedOnes() {
        DrainPlan.Plan plan = DrainPlan.of(List.of(
                pod("web-1").withOwner("apps/v1", "ReplicaSet", true).build(),
                pod("calico-node-x").withOwner("apps/v1", "DaemonSet", true).build(),
                pod("static-kube-apiserver-node")
                        .annotated(DrainPlan.MIRROR_ANNOTATION, "abc")
                        .build(),
                pod("job-done")
                        .withOwner("batch/v1", "Job", true)
                        .phase("Succeeded")
                        .build(),
                pod("crashed").phase("Failed").build(),
                pod("bare").build(),
                pod("leaving")
                        .withOwner("apps/v1", "ReplicaSet", true)
                        .terminating()
                        .build()));

        assertThat(plan.evict()).containsExactly(ref("bare"), ref("web-1"));
        assertThat(plan.terminating()).containsExactly(ref("leaving"));
        assertThat(plan.skipped())
                .containsExactlyInAnyOrder(
                        new Skipped(ref("calico-node-x"), Skip.DAEMON_SET),
                        new Skipped(ref("static-kube-apiserver-node"), Skip.MIRROR),
                        new Skipped(ref("job-done"), Skip.FINISHED),
                        new Skipped(ref("crashed"), Skip.FINISHED));
        assertThat(plan.podsLeft()).isEqualTo(3);
        assertThat(plan.drained()).isFalse();
    }

    @Test
    void aNodeWithOnlyPodsItLeavesIsDrained() {
        DrainPlan.Plan plan = DrainPlan.of(List.of(
                pod("kube-proxy-1").withOwner("apps/v1", "DaemonSet", true).build(),
                pod("etcd-node").annotated(DrainPlan.MIRROR_ANNOTATION, "x").build()));
        assertThat(plan.drained()).isTrue();
        assertThat(DrainPlan.of(List.of()).drained()).isTrue();
    }

    @Test
    void onlyADaemonSetThatControlsThePodMakesItADaemonSetPod() {
        // An owner that is not the controller, or a DaemonSet kind of another API group, is not one kubectl skips.
        DrainPlan.Plan plan = DrainPlan.of(List.of(
                pod("adopted").withOwner("apps/v1", "DaemonSet", false).build(),
                pod("custom").withOwner("example.com/v1", "DaemonSet", true).build()));
        assertThat(plan.evict()).containsExactly(ref("adopted"), ref("custom"));
    }

    @Test
    void aTerminatingDaemonSetPodIsStillLeft() {
        DrainPlan.Plan plan = DrainPlan.of(List.of(
                pod("ds").withOwner("apps/v1", "DaemonSet", true).terminating().build()));
        assertThat(plan.drained()).isTrue();
    }

    @Test
    void theOrderDoesNotDependOnTheList() {
        List<Pod> pods = List.of(
                pod("b").build(), pod("a").build(), pod("c").namespace("a-ns").build());
        assertThat(DrainPlan.of(pods).evict())
                .containsExactly(new PodRef("a-ns", "c"), ref("a"), ref("b"))
                .isEqualTo(DrainPlan.of(List.of(pods.get(2), pods.get(1), pods.get(0)))
                        .evict());
    }

    @Test
    void theDetailSaysWhatHoldsTheNodeAndNamesAFewPods() {
        List<PodRef> many = List.of(ref("p1"), ref("p2"), ref("p3"), ref("p4"), ref("p5"), ref("p6"), ref("p7"));
        String detail =
                TenantNodeDrains.detail("node-a", 9, many, List.of(ref("web-1")), List.of(), List.of(ref("old")));
        assertThat(detail)
                .startsWith("9 pods left on Node node-a (cordoned); ")
                .contains("held by a PodDisruptionBudget: default/web-1")
                .contains("evicted, waiting for them to go: default/p1, default/p2, default/p3, default/p4, default/p5"
                        + " and 2 more")
                .contains("terminating: default/old");
    }

    private static PodRef ref(String name) {
        return new PodRef("default", name);
    }

    private static Fixture pod(String name) {
        return new Fixture(name);
    }

    private static final class Fixture {
        private final PodBuilder builder;

        Fixture(String name) {
            builder = new PodBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace("default")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName("node-a")
                    .endSpec()
                    .withNewStatus()
                    .withPhase("Running")
                    .endStatus();
        }

        Fixture namespace(String namespace) {
            builder.editMetadata().withNamespace(namespace).endMetadata();
            return this;
        }

        Fixture withOwner(String apiVersion, String kind, boolean controller) {
            builder.editMetadata()
                    .addNewOwnerReference()
                    .withApiVersion(apiVersion)
                    .withKind(kind)
                    .withName("owner")
                    .withUid("uid-1")
                    .withController(controller)
                    .endOwnerReference()
                    .endMetadata();
            return this;
        }

        Fixture annotated(String key, String value) {
            builder.editMetadata().addToAnnotations(key, value).endMetadata();
            return this;
        }

        Fixture phase(String phase) {
            builder.editStatus().withPhase(phase).endStatus();
            return this;
        }

        Fixture terminating() {
            builder.editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata();
            return this;
        }

        Pod build() {
            return builder.build();
        }
    }
}
