package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ControlPlaneRendererTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @ParameterizedTest
    @EnumSource(Level.class)
    void everyObjectIsInTheClusterNamespaceOwnedByItAndLabelled(Level level) {
        RenderedControlPlane rendered = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.cluster(level)));

        assertThat(rendered.all()).isNotEmpty().allSatisfy(object -> {
            assertThat(object.getMetadata().getNamespace()).isEqualTo("tenant-a");
            assertThat(object.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(owner -> {
                        assertThat(owner.getApiVersion()).isEqualTo("sks.operator.dev/v1alpha1");
                        assertThat(owner.getKind()).isEqualTo("SKSCluster");
                        assertThat(owner.getName()).isEqualTo("demo");
                        assertThat(owner.getUid()).isEqualTo(Fixtures.UID);
                        assertThat(owner.getController()).isTrue();
                        assertThat(owner.getBlockOwnerDeletion()).isTrue();
                    });
            assertThat(object.getMetadata().getLabels())
                    .containsEntry("sks.operator.dev/cluster", "demo")
                    .containsEntry("app.kubernetes.io/managed-by", "sks-operator")
                    .containsKey("app.kubernetes.io/component");
        });
    }

    @ParameterizedTest
    @EnumSource(Level.class)
    void reissuingAnySecretAPodMountsRollsThatPodAndOnlyThatOne(Level level) {
        RenderedControlPlane before = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.cluster(level), Map.of()));
        List<HasMetadata> workloads =
                List.of(before.etcd(), before.apiserver(), before.controllerManager(), before.scheduler());

        for (HasMetadata workload : workloads) {
            for (Volume volume : podTemplate(workload).getSpec().getVolumes()) {
                if (volume.getSecret() == null) {
                    continue;
                }
                String secret = volume.getSecret().getSecretName();
                RenderedControlPlane after = ControlPlaneRenderer.render(
                        Fixtures.inputs(Fixtures.cluster(level), Map.of(secret, "reissued")));
                List<HasMetadata> rolled =
                        List.of(after.etcd(), after.apiserver(), after.controllerManager(), after.scheduler());
                for (int i = 0; i < workloads.size(); i++) {
                    HasMetadata earlier = workloads.get(i);
                    boolean mounts = podTemplate(earlier).getSpec().getVolumes().stream()
                            .anyMatch(v -> v.getSecret() != null
                                    && secret.equals(v.getSecret().getSecretName()));
                    assertThat(certificatesHash(rolled.get(i)).equals(certificatesHash(earlier)))
                            .as(
                                    "%s keeps its certificates hash after %s is re-issued",
                                    earlier.getMetadata().getName(), secret)
                            .isEqualTo(!mounts);
                }
            }
        }
    }

    private static PodTemplateSpec podTemplate(HasMetadata workload) {
        return workload instanceof Deployment d
                ? d.getSpec().getTemplate()
                : ((StatefulSet) workload).getSpec().getTemplate();
    }

    private static String certificatesHash(HasMetadata workload) {
        return podTemplate(workload).getMetadata().getAnnotations().get("sks.operator.dev/certificates-hash");
    }

    @Test
    void objectsHaveDistinctNamesPerKind() {
        RenderedControlPlane rendered = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.pro()));

        assertThat(rendered.all())
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .doesNotHaveDuplicates()
                .containsExactly(
                        "Service/demo-etcd-peer",
                        "Service/demo-etcd-client",
                        "StatefulSet/demo-etcd",
                        "ConfigMap/demo-control-plane-config",
                        "Service/demo-apiserver",
                        "Deployment/demo-apiserver",
                        "Deployment/demo-controller-manager",
                        "Deployment/demo-scheduler",
                        "PodDisruptionBudget/demo-etcd",
                        "PodDisruptionBudget/demo-apiserver",
                        "PodDisruptionBudget/demo-controller-manager",
                        "PodDisruptionBudget/demo-scheduler");
    }

    @ParameterizedTest
    @EnumSource(Level.class)
    void theNamesAreThoseOfEveryObjectRenderedInOrder(Level level) {
        ControlPlaneInputs inputs = Fixtures.inputs(Fixtures.cluster(level));

        assertThat(ControlPlaneRenderer.names(inputs))
                .containsExactlyElementsOf(ControlPlaneRenderer.render(inputs).all().stream()
                        .map(o -> new ControlPlaneRenderer.Named(
                                o.getClass(), o.getMetadata().getName()))
                        .toList());
    }

    @Test
    void starterHasOneOfEverythingAndNoBudgets() {
        RenderedControlPlane rendered = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.starter()));

        assertThat(rendered.etcd().getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.apiserver().getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.controllerManager().getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.scheduler().getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.podDisruptionBudgets()).isEmpty();
    }

    @Test
    void proRunsThreeEtcdMembersTwoOfTheRestAndBudgetsForAll() {
        RenderedControlPlane rendered = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.pro()));

        assertThat(rendered.etcd().getSpec().getReplicas()).isEqualTo(3);
        assertThat(rendered.apiserver().getSpec().getReplicas()).isEqualTo(2);
        assertThat(rendered.controllerManager().getSpec().getReplicas()).isEqualTo(2);
        assertThat(rendered.scheduler().getSpec().getReplicas()).isEqualTo(2);
        assertThat(rendered.podDisruptionBudgets()).hasSize(4);
    }

    @ParameterizedTest
    @EnumSource(Level.class)
    void sameInputsGiveEqualObjectsAndIdenticalJson(Level level) {
        RenderedControlPlane first = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.cluster(level)));
        RenderedControlPlane second = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.cluster(level)));

        assertThat(second).isEqualTo(first);
        assertThat(second.all())
                .extracting(SERIALIZATION::asJson)
                .containsExactlyElementsOf(
                        first.all().stream().map(SERIALIZATION::asJson).toList());
    }

    @Test
    void hashMapOrderDoesNotMatter() {
        SKSCluster cluster = Fixtures.starter();
        Map<String, String> hashes = new java.util.LinkedHashMap<>();
        hashes.put("demo-sa", "s");
        hashes.put("demo-apiserver", "a");
        Map<String, String> reversed = new java.util.LinkedHashMap<>();
        reversed.put("demo-apiserver", "a");
        reversed.put("demo-sa", "s");

        assertThat(ControlPlaneRenderer.render(Fixtures.inputs(cluster, hashes)))
                .isEqualTo(ControlPlaneRenderer.render(Fixtures.inputs(cluster, reversed)));
    }

    @Test
    void everyObjectSurvivesASerializationRoundTrip() {
        for (HasMetadata object :
                ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.pro())).all()) {
            Object back = SERIALIZATION.unmarshal(SERIALIZATION.asYaml(object));
            assertThat(back).as(object.getKind()).isEqualTo(object);
        }
    }

    @Test
    void apiVersionsAreTheStableOnes() {
        RenderedControlPlane rendered = ControlPlaneRenderer.render(Fixtures.inputs(Fixtures.pro()));

        assertThat(rendered.etcd())
                .isInstanceOf(StatefulSet.class)
                .extracting(HasMetadata::getApiVersion)
                .isEqualTo("apps/v1");
        assertThat(rendered.apiserver())
                .isInstanceOf(Deployment.class)
                .extracting(HasMetadata::getApiVersion)
                .isEqualTo("apps/v1");
        assertThat(rendered.podDisruptionBudgets())
                .extracting(PodDisruptionBudget::getApiVersion)
                .containsOnly("policy/v1");
    }

    @Test
    void eachComponentRendersAtItsOwnVersionDuringAnUpgrade() {
        ComponentVersions midUpgrade =
                new ComponentVersions(Fixtures.V1_33, Fixtures.V1_33, Fixtures.V1_32, Fixtures.V1_32);
        RenderedControlPlane rendered = ControlPlaneRenderer.render(
                new ControlPlaneInputs(Fixtures.model(Fixtures.starter()), midUpgrade, Optional.empty(), Map.of()));

        assertThat(Rollouts.renderedVersion(rendered.etcd())).contains(Fixtures.V1_33);
        assertThat(Rollouts.renderedVersion(rendered.apiserver())).contains(Fixtures.V1_33);
        assertThat(Rollouts.renderedVersion(rendered.controllerManager())).contains(Fixtures.V1_32);
        assertThat(rendered.apiserver()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .endsWith(":v1.33.4");
        assertThat(rendered.scheduler()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .endsWith(":v1.32.8");
    }

    @Test
    void aClusterWithoutUidCannotOwnAnything() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getMetadata().setUid(null);

        assertThatThrownBy(() -> ControlPlaneRenderer.render(Fixtures.inputs(cluster)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uid");
    }

    @Test
    void aMinorIsNotAVersionToRender() {
        assertThatThrownBy(() -> new ControlPlaneInputs(
                        Fixtures.model(Fixtures.starter()),
                        dev.operator.sks.catalog.KubernetesVersion.of("1.33"),
                        Optional.empty(),
                        Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patch");
    }
}
