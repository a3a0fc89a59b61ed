package dev.operator.sks.addons;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.ClusterModel;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The cloud-controller addon per provider: Exoscale's on Exoscale, KubeVirt's on KubeVirt, the operator on simulated. */
class CloudControllerTest {
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();

    @Test
    void theProviderChoosesTheCloudController() {
        assertThat(CloudController.flavour("kubevirt")).isEqualTo(CloudController.Flavour.KUBEVIRT);
        assertThat(CloudController.flavour("exoscale")).isEqualTo(CloudController.Flavour.EXOSCALE);
        assertThat(CloudController.flavour("simulated")).isEqualTo(CloudController.Flavour.OPERATOR);
        assertThat(CloudController.credentialsSecret(inputs("kubevirt", Optional.empty())))
                .contains("kubevirt-infra-kubeconfig");
        assertThat(CloudController.credentialsSecret(inputs("exoscale", Optional.empty())))
                .contains("exoscale-credentials");
        assertThat(CloudController.credentialsSecret(inputs("simulated", Optional.empty())))
                .isEmpty();
        // The simulated provider's Nodes and load balancers are the operator's to serve: nothing runs in the tenant.
        assertThat(CloudController.objects(inputs("simulated", Optional.empty())))
                .isEmpty();
    }

    @Test
    void onKubeVirtTheKubeVirtCloudControllerRunsWithItsCloudConfigAndTheInfrastructureKubeconfig() {
        List<HasMetadata> objects = AddonObjects.render(inputs("kubevirt", Optional.of("token-ab12")));

        assertThat(objects)
                .extracting(AddonObjectsTest::describe)
                .contains(
                        "ServiceAccount kube-system/cloud-controller-manager",
                        "ClusterRole system:kubevirt-cloud-controller-manager",
                        "ClusterRoleBinding system:kubevirt-cloud-controller-manager",
                        "ConfigMap kube-system/kubevirt-cloud-config",
                        "Deployment kube-system/kubevirt-cloud-controller-manager")
                .noneMatch(d -> d.contains("exoscale"));
        Deployment deployment = find(objects, Deployment.class, "kubevirt-cloud-controller-manager");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("quay.io/kubevirt/kubevirt-cloud-controller-manager:v0.5.1");
        assertThat(container.getArgs())
                .contains("--cloud-provider=kubevirt", "--cloud-config=/etc/cloud/cloud-config", "--cluster-name=demo");
        assertThat(container.getVolumeMounts())
                .extracting(m -> m.getName() + " " + m.getMountPath())
                .containsExactly("cloud-config /etc/cloud", "infra-kubeconfig /etc/kubernetes/infra");
        assertThat(pod.getVolumes())
                .extracting(v -> v.getName() + " "
                        + (v.getSecret() != null
                                ? "secret " + v.getSecret().getSecretName()
                                : "configMap " + v.getConfigMap().getName()))
                .containsExactly(
                        "cloud-config configMap kubevirt-cloud-config",
                        "infra-kubeconfig secret kubevirt-infra-kubeconfig");
        assertThat(pod.getTolerations())
                .anyMatch(t -> "node.cloudprovider.kubernetes.io/uninitialized".equals(t.getKey())
                        && "NoSchedule".equals(t.getEffect()));
        assertThat(pod.getHostNetwork()).isTrue();

        Map<String, Object> cloudConfig = new Yaml()
                .load(find(objects, ConfigMap.class, "kubevirt-cloud-config")
                        .getData()
                        .get("cloud-config"));
        assertThat(cloudConfig)
                .isEqualTo(Map.of(
                        "kubeconfig",
                        "/etc/kubernetes/infra/infra-kubeconfig",
                        "namespace",
                        "tenant-a",
                        "loadBalancer",
                        Map.of("enabled", true),
                        "instancesV2",
                        Map.of("enabled", true, "zoneAndRegionEnabled", false)));
        // The mounted kubeconfig's key is the one the cloud-config names.
        assertThat(cloudConfig.get("kubeconfig")).isEqualTo("/etc/kubernetes/infra/" + "infra-kubeconfig");
    }

    @Test
    void newCredentialsRollTheCloudControllersPodsAndNothingElseDoes() {
        Deployment first = find(
                AddonObjects.render(inputs("kubevirt", Optional.of("token-1"))),
                Deployment.class,
                "kubevirt-cloud-controller-manager");
        Deployment same = find(
                AddonObjects.render(inputs("kubevirt", Optional.of("token-1"))),
                Deployment.class,
                "kubevirt-cloud-controller-manager");
        Deployment renewed = find(
                AddonObjects.render(inputs("kubevirt", Optional.of("token-2"))),
                Deployment.class,
                "kubevirt-cloud-controller-manager");

        assertThat(same.getSpec().getTemplate()).isEqualTo(first.getSpec().getTemplate());
        assertThat(first.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.CREDENTIALS_REVISION_ANNOTATION, "token-1");
        assertThat(renewed.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.CREDENTIALS_REVISION_ANNOTATION, "token-2");
        Deployment exoscale = find(
                AddonObjects.render(inputs("exoscale", Optional.of("EXO1"))),
                Deployment.class,
                "exoscale-cloud-controller-manager");
        assertThat(exoscale.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.CREDENTIALS_REVISION_ANNOTATION, "EXO1");
    }

    @Test
    void kubeVirtsCloudControllerHasTheCommonRightsButApprovesNoCertificates() {
        ClusterRole role = find(
                AddonObjects.render(inputs("kubevirt", Optional.empty())),
                ClusterRole.class,
                "system:kubevirt-cloud-controller-manager");
        assertThat(role.getRules()).isEqualTo(CloudController.commonRules());
        assertThat(role.getRules()).noneMatch(r -> r.getApiGroups().contains("certificates.k8s.io"));
        assertThat(CloudController.clusterRole().getRules())
                .anyMatch(r -> r.getApiGroups().contains("certificates.k8s.io"));
    }

    @Test
    void removingTheAddonOnKubeVirtRemovesKubeVirtsObjects() {
        AddonInputs without = inputs("kubevirt", Optional.empty(), List.of());
        assertThat(AddonObjects.removed(without))
                .extracting(AddonObjectsTest::describe)
                .containsSubsequence(
                        "Deployment kube-system/kubevirt-cloud-controller-manager",
                        "ConfigMap kube-system/kubevirt-cloud-config",
                        "ServiceAccount kube-system/cloud-controller-manager")
                .noneMatch(d -> d.contains("exoscale"));
    }

    private static AddonInputs inputs(String provider, Optional<String> revision) {
        return inputs(provider, revision, List.of(Addon.CLOUD_CONTROLLER));
    }

    private static AddonInputs inputs(String provider, Optional<String> revision, List<Addon> addons) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant-a")
                .build());
        cluster.setSpec(new SKSClusterSpec());
        cluster.getSpec().version = "1.33.4";
        cluster.getSpec().addons = addons;
        return AddonInputs.of(
                        ClusterModel.from(cluster, CATALOG), KubernetesVersion.of("1.33.4"), "https://203.0.113.10")
                .onProvider(provider, revision);
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}
