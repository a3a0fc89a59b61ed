package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the operator writes: only where an observed object says something else in a field the operator sets. */
class DesiredFieldsTest {

    @Test
    void fieldsTheServerAddsAreIgnored() {
        Deployment desired = deployment(2, List.of("--a=1", "--b=2"));
        Deployment observed = deployment(2, List.of("--a=1", "--b=2"));
        observed.getMetadata().setUid("u-1");
        observed.getMetadata().setResourceVersion("42");
        observed.getSpec().setRevisionHistoryLimit(10);
        observed.getSpec().getTemplate().getSpec().getContainers().get(0).setImagePullPolicy("IfNotPresent");
        observed.getMetadata().getLabels().put("added-by", "someone");

        assertThat(DesiredFields.satisfiedBy(desired, observed)).isTrue();
    }

    @Test
    void aChangedScalarOrListElementIsADifference() {
        Deployment desired = deployment(2, List.of("--a=1", "--b=2"));

        assertThat(DesiredFields.satisfiedBy(desired, deployment(3, List.of("--a=1", "--b=2"))))
                .as("replicas")
                .isFalse();
        assertThat(DesiredFields.satisfiedBy(desired, deployment(2, List.of("--a=1", "--b=3"))))
                .as("an argument")
                .isFalse();
        assertThat(DesiredFields.satisfiedBy(desired, deployment(2, List.of("--a=1", "--b=2", "--c=3"))))
                .as("an argument added")
                .isFalse();
        assertThat(DesiredFields.satisfiedBy(desired, deployment(2, List.of("--b=2", "--a=1"))))
                .as("order")
                .isFalse();
    }

    @Test
    void aMissingOrChangedEntryOfAMapIsADifference() {
        ConfigMap desired = configMap("a", "1");
        ConfigMap observed = configMap("a", "2");
        assertThat(DesiredFields.satisfiedBy(desired, observed)).isFalse();
        assertThat(DesiredFields.satisfiedBy(
                        desired,
                        new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("c")
                                .endMetadata()
                                .build()))
                .isFalse();
        assertThat(DesiredFields.satisfiedBy(desired, configMap("a", "1"))).isTrue();
    }

    @Test
    void anEmptyDesiredListOrMapSetsNothing() {
        ConfigMap desired = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .endMetadata()
                .withData(java.util.Map.of())
                .build();
        ConfigMap observed = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .endMetadata()
                .build();
        assertThat(DesiredFields.satisfiedBy(desired, observed)).isTrue();
    }

    @Test
    void aZeroValueTheServerLeavesOutIsNoDifference() {
        Deployment desired = deployment(2, List.of("--a=1"));
        desired.getSpec().getTemplate().getSpec().setHostNetwork(false);
        desired.getSpec().setMinReadySeconds(0);
        assertThat(DesiredFields.satisfiedBy(desired, deployment(2, List.of("--a=1"))))
                .isTrue();
        Deployment hostNetwork = deployment(2, List.of("--a=1"));
        hostNetwork.getSpec().getTemplate().getSpec().setHostNetwork(true);
        assertThat(DesiredFields.satisfiedBy(desired, hostNetwork)).isFalse();
    }

    private static ConfigMap configMap(String key, String value) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .endMetadata()
                .addToData(key, value)
                .build();
    }

    private static Deployment deployment(int replicas, List<String> args) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("x-apiserver")
                .addToLabels("app", "x")
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("kube-apiserver")
                .withImage("k:1")
                .withArgs(args)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
