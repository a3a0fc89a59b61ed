package dev.operator.sks.addons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.Cni;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.ClusterModel;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CalicoTest {
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();

    @Test
    void theMtuIsTheProvidersNetworkLessVxlansFiftyBytes() {
        assertThat(Calico.mtu("exoscale")).isEqualTo(1450);
        assertThat(Calico.mtu("kubevirt")).isEqualTo(1350);
        assertThat(Calico.mtu("simulated")).isEqualTo(1450);
        assertThatThrownBy(() -> Calico.mtu("aws")).isInstanceOf(IllegalArgumentException.class);

        assertThat(config(objects("1.33.4", "10.244.0.0/16", "kubevirt")).getData())
                .containsEntry("veth_mtu", "1350")
                .containsEntry("calico_backend", "vxlan")
                .containsEntry("typha_service_name", "none");
        assertThat(config(objects("1.33.4", "10.244.0.0/16", "exoscale")).getData())
                .containsEntry("veth_mtu", "1450");
    }

    @Test
    void aProviderWithAnotherMtuRollsCalicoNode() {
        assertThat(configHash(objects("1.33.4", "10.244.0.0/16", "kubevirt")))
                .isNotEqualTo(configHash(objects("1.33.4", "10.244.0.0/16", "exoscale")));
        assertThat(configHash(objects("1.33.4", "10.244.0.0/16", "exoscale")))
                .isEqualTo(configHash(objects("1.33.4", "10.244.0.0/16", "exoscale")));
    }

    @Test
    void theDefaultPoolIsThePodCidrWithVxlanAlwaysAndNatOutgoing() {
        List<HasMetadata> objects = objects("1.33.4", "10.244.0.0/16", "exoscale");
        GenericKubernetesResource pool =
                AddonObjectsTest.find(objects, GenericKubernetesResource.class, "default-ipv4-ippool");
        assertThat(pool.getApiVersion()).isEqualTo("crd.projectcalico.org/v1");
        assertThat(pool.getKind()).isEqualTo("IPPool");
        assertThat(pool.getAdditionalProperties().get("spec"))
                .isEqualTo(Map.of(
                        "cidr", "10.244.0.0/16",
                        "blockSize", 26,
                        "ipipMode", "Never",
                        "vxlanMode", "Always",
                        "natOutgoing", true,
                        "nodeSelector", "all()"));
        assertThat(env(node(objects)))
                .containsEntry("CALICO_IPV4POOL_CIDR", "10.244.0.0/16")
                .containsEntry("CALICO_IPV4POOL_VXLAN", "Always")
                .containsEntry("CALICO_IPV4POOL_IPIP", "Never")
                .containsEntry("DATASTORE_TYPE", "kubernetes")
                .containsEntry("FELIX_VXLANMTU", "calico-config/veth_mtu")
                .containsEntry("CALICO_NETWORKING_BACKEND", "calico-config/calico_backend");
    }

    @Test
    void imagesFollowTheRunningMinorsCalicoRelease() {
        assertThat(calicoImages(objects("1.31.5", "192.168.0.0/16", "exoscale")))
                .containsExactly(
                        "quay.io/calico/cni:v3.28.2",
                        "quay.io/calico/node:v3.28.2",
                        "quay.io/calico/kube-controllers:v3.28.2");
        assertThat(calicoImages(objects("1.32.8", "192.168.0.0/16", "exoscale")))
                .containsExactly(
                        "quay.io/calico/cni:v3.29.1",
                        "quay.io/calico/node:v3.29.1",
                        "quay.io/calico/kube-controllers:v3.29.1");
        assertThat(calicoImages(objects("1.34.1", "192.168.0.0/16", "exoscale")))
                .containsExactly(
                        "quay.io/calico/cni:v3.30.3",
                        "quay.io/calico/node:v3.30.3",
                        "quay.io/calico/kube-controllers:v3.30.3");
        assertThat(Calico.sibling("registry.example:5000/mirror/calico/node:v3.30.2", "cni"))
                .isEqualTo("registry.example:5000/mirror/calico/cni:v3.30.2");
        assertThatThrownBy(() -> Calico.sibling("calico-node", "cni")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void calicoNodeRunsOnEveryNodeInstallsTheCniFirstAndReachesTheApiAtTheEndpoint() {
        List<HasMetadata> objects = objects("1.33.4", "192.168.0.0/16", "exoscale");
        PodSpec pod = node(objects).getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getServiceAccountName()).isEqualTo("calico-node");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
        });
        Container installCni = pod.getInitContainers().get(0);
        assertThat(installCni.getName()).isEqualTo("install-cni");
        assertThat(installCni.getCommand()).containsExactly("/opt/cni/bin/install");
        assertThat(env(installCni))
                .containsEntry("CNI_CONF_NAME", "10-calico.conflist")
                .containsEntry("CNI_NETWORK_CONFIG", "calico-config/cni_network_config")
                .containsEntry("CNI_MTU", "calico-config/veth_mtu");
        assertThat(installCni.getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly("cni-bin-dir:/host/opt/cni/bin", "cni-net-dir:/host/etc/cni/net.d");
        for (Container container : List.of(installCni, pod.getContainers().get(0), kubeControllersContainer(objects))) {
            assertThat(container.getEnvFrom())
                    .singleElement()
                    .satisfies(from ->
                            assertThat(from.getConfigMapRef().getName()).isEqualTo("kubernetes-services-endpoint"));
        }
        assertThat(AddonObjectsTest.find(objects, ConfigMap.class, "kubernetes-services-endpoint")
                        .getData())
                .isEqualTo(Map.of("KUBERNETES_SERVICE_HOST", "203.0.113.10", "KUBERNETES_SERVICE_PORT", "6443"));
        assertThat(AddonObjectsTest.find(objects, ConfigMap.class, "calico-config")
                        .getData()
                        .get("cni_network_config"))
                .contains("\"type\": \"calico-ipam\"", "\"mtu\": __CNI_MTU__", "\"datastore_type\": \"kubernetes\"");
    }

    @Test
    void theCrdsAreCalicosKindsWithTheirScopeAndNoStatusSubresource() {
        List<CustomResourceDefinition> crds = Calico.objects(inputs("1.33.4", "192.168.0.0/16", "exoscale")).stream()
                .filter(CustomResourceDefinition.class::isInstance)
                .map(CustomResourceDefinition.class::cast)
                .toList();
        Map<String, CustomResourceDefinition> byKind = crds.stream()
                .collect(Collectors.toMap(c -> c.getSpec().getNames().getKind(), c -> c));
        assertThat(byKind)
                .containsKeys(
                        "NetworkPolicy",
                        "GlobalNetworkPolicy",
                        "IPPool",
                        "BGPConfiguration",
                        "FelixConfiguration",
                        "ClusterInformation",
                        "IPAMBlock",
                        "BlockAffinity",
                        "IPAMHandle",
                        "IPAMConfig",
                        "HostEndpoint",
                        "GlobalNetworkSet",
                        "NetworkSet",
                        "KubeControllersConfiguration",
                        "Tier");
        assertThat(byKind.get("IPAMConfig").getMetadata().getName()).isEqualTo("ipamconfigs.crd.projectcalico.org");
        assertThat(byKind.get("IPAMConfig").getSpec().getNames().getSingular()).isEqualTo("ipamconfig");
        assertThat(crds.stream().filter(c -> c.getSpec().getScope().equals("Namespaced")))
                .extracting(c -> c.getSpec().getNames().getKind())
                .containsExactlyInAnyOrder(
                        "NetworkPolicy", "NetworkSet", "StagedNetworkPolicy", "StagedKubernetesNetworkPolicy");
        assertThat(crds.stream().filter(c -> c.getSpec().getGroup().equals("crd.projectcalico.org")))
                .hasSize(22)
                .allSatisfy(c -> {
                    assertThat(c.getMetadata().getName())
                            .isEqualTo(c.getSpec().getNames().getPlural() + ".crd.projectcalico.org");
                    assertThat(c.getSpec().getVersions()).singleElement().satisfies(v -> {
                        assertThat(v.getName()).isEqualTo("v1");
                        assertThat(v.getServed()).isTrue();
                        assertThat(v.getStorage()).isTrue();
                        assertThat(v.getSubresources()).isNull();
                        assertThat(v.getSchema()
                                        .getOpenAPIV3Schema()
                                        .getProperties()
                                        .get("spec")
                                        .getXKubernetesPreserveUnknownFields())
                                .isTrue();
                    });
                });
        assertThat(byKind.get("AdminNetworkPolicy")
                        .getSpec()
                        .getVersions()
                        .get(0)
                        .getSubresources()
                        .getStatus())
                .isNotNull();
    }

    @Test
    void theCniPluginsTokensAreMintedByCalicoNodeOnly() {
        List<HasMetadata> objects = objects("1.33.4", "192.168.0.0/16", "exoscale");
        assertThat(AddonObjectsTest.find(objects, ClusterRole.class, "calico-node")
                        .getRules())
                .anySatisfy(rule -> {
                    assertThat(rule.getResources()).containsExactly("serviceaccounts/token");
                    assertThat(rule.getResourceNames()).containsExactly("calico-cni-plugin");
                    assertThat(rule.getVerbs()).containsExactly("create");
                });
        assertThat(objects)
                .extracting(AddonObjectsTest::describe)
                .contains(
                        "ServiceAccount kube-system/calico-cni-plugin",
                        "ClusterRoleBinding calico-cni-plugin",
                        "ClusterRoleBinding calico-kube-controllers",
                        "Deployment kube-system/calico-kube-controllers");
    }

    @Test
    void sameInputsSameObjectsAndEveryOneIsTheOperators() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> first = Calico.objects(inputs("1.33.4", "192.168.0.0/16", "exoscale"));
        assertThat(serialization.asYaml(Calico.objects(inputs("1.33.4", "192.168.0.0/16", "exoscale"))))
                .isEqualTo(serialization.asYaml(first));
        assertThat(first)
                .allSatisfy(object -> assertThat(object.getMetadata().getLabels())
                        .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .containsEntry(Labels.ADDON, "calico"));
    }

    private static AddonInputs inputs(String version, String podCidr, String provider) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant-a")
                .build());
        cluster.setSpec(new SKSClusterSpec());
        cluster.getSpec().version = version;
        cluster.getSpec().cni = Cni.CALICO;
        cluster.getSpec().addons = List.of();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.podCIDR = podCidr;
        return AddonInputs.of(
                ClusterModel.from(cluster, CATALOG),
                KubernetesVersion.of(version),
                "https://203.0.113.10:6443",
                provider);
    }

    private static List<HasMetadata> objects(String version, String podCidr, String provider) {
        return AddonObjects.render(inputs(version, podCidr, provider));
    }

    private static ConfigMap config(List<HasMetadata> objects) {
        return AddonObjectsTest.find(objects, ConfigMap.class, "calico-config");
    }

    private static DaemonSet node(List<HasMetadata> objects) {
        return AddonObjectsTest.find(objects, DaemonSet.class, "calico-node");
    }

    private static Container kubeControllersContainer(List<HasMetadata> objects) {
        return AddonObjectsTest.find(objects, Deployment.class, "calico-kube-controllers")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    private static String configHash(List<HasMetadata> objects) {
        return node(objects)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(Labels.CONFIG_HASH_ANNOTATION);
    }

    private static List<String> calicoImages(List<HasMetadata> objects) {
        return AddonObjectsTest.images(objects).stream()
                .filter(image -> image.contains("calico"))
                .toList();
    }

    private static Map<String, String> env(DaemonSet node) {
        return env(node.getSpec().getTemplate().getSpec().getContainers().get(0));
    }

    /** Each variable's value, or {@code configmap/key} for one read from a ConfigMap, or the field path. */
    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, CalicoTest::value));
    }

    private static String value(EnvVar env) {
        if (env.getValueFrom() == null) {
            return env.getValue();
        }
        if (env.getValueFrom().getConfigMapKeyRef() != null) {
            return env.getValueFrom().getConfigMapKeyRef().getName() + "/"
                    + env.getValueFrom().getConfigMapKeyRef().getKey();
        }
        return env.getValueFrom().getFieldRef().getFieldPath();
    }
}
