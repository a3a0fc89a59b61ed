package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

class RolloutsTest {

    @Test
    void readsTheRenderedVersionBack() {
        Deployment rendered = ApiserverRenderer.deployment(Fixtures.inputs(Fixtures.starter(), Fixtures.V1_32));

        assertThat(Rollouts.renderedVersion(rendered)).contains(Fixtures.V1_32);
        assertThat(Rollouts.renderedVersion(new Deployment())).isEmpty();
        assertThat(Rollouts.renderedVersion(null)).isEmpty();
    }

    @Test
    void aDeploymentIsRolledOutWhenEveryReplicaIsUpdatedAndAvailable() {
        Deployment pro = new DeploymentBuilder(ApiserverRenderer.deployment(Fixtures.inputs(Fixtures.pro())))
                .editMetadata()
                .withGeneration(3L)
                .endMetadata()
                .build();

        assertThat(Rollouts.isRolledOut(pro)).isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(pro, 3L, 2, 2, 2))).isTrue();
        assertThat(Rollouts.isRolledOut(withStatus(pro, 2L, 2, 2, 2)))
                .as("an older generation")
                .isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(pro, 3L, 3, 2, 2)))
                .as("an old pod still there")
                .isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(pro, 3L, 2, 1, 2)))
                .as("one pod not updated")
                .isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(pro, 3L, 2, 2, 1)))
                .as("one pod not available")
                .isFalse();
    }

    @Test
    void aStatefulSetIsRolledOutWhenEveryMemberRunsTheNewRevisionAndIsReady() {
        StatefulSet etcd = new StatefulSetBuilder(EtcdRenderer.statefulSet(Fixtures.inputs(Fixtures.pro())))
                .editMetadata()
                .withGeneration(2L)
                .endMetadata()
                .build();

        assertThat(Rollouts.isRolledOut(withStatus(etcd, 2L, 3, 3, "r2", "r2"))).isTrue();
        assertThat(Rollouts.isRolledOut(withStatus(etcd, 2L, 3, 3, "r1", "r2"))).isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(etcd, 2L, 3, 2, "r2", "r2"))).isFalse();
        assertThat(Rollouts.isRolledOut(withStatus(etcd, 1L, 3, 3, "r2", "r2"))).isFalse();
    }

    private static Deployment withStatus(
            Deployment deployment, long observedGeneration, int replicas, int updated, int available) {
        return new DeploymentBuilder(deployment)
                .withNewStatus()
                .withObservedGeneration(observedGeneration)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withAvailableReplicas(available)
                .withReadyReplicas(available)
                .endStatus()
                .build();
    }

    private static StatefulSet withStatus(
            StatefulSet statefulSet, long observedGeneration, int updated, int ready, String current, String update) {
        return new StatefulSetBuilder(statefulSet)
                .withNewStatus()
                .withObservedGeneration(observedGeneration)
                .withReplicas(3)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withCurrentRevision(current)
                .withUpdateRevision(update)
                .endStatus()
                .build();
    }
}
