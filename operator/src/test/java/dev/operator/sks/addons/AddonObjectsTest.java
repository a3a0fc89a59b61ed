package dev.operator.sks.addons;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Addon;
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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class AddonObjectsTest {
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    private static final String ENDPOINT = "https://203.0.113.10:443";

    @Test
    void aClusterWithoutOptionalAddonsGetsKubeProxyDnsAndTheKonnectivityAgentInApplyOrder() {
        assertThat(AddonObjects.render(inputs("1.33.4", Set.of())))
                .extracting(AddonObjectsTest::describe)
                .containsExactly(
                        "ServiceAccount kube-system/kube-proxy",
                        "ClusterRoleBinding kubeadm:node-proxier",
                        "ConfigMap kube-system/kube-proxy",
                        "DaemonSet kube-system/kube-proxy",
                        "ServiceAccount kube-system/coredns",
                        "ClusterRole system:coredns",
                        "ClusterRoleBinding system:coredns",
                        "ConfigMap kube-system/coredns",
                        "Deployment kube-system/coredns",
                        "Service kube-system/kube-dns",
                        "ServiceAccount kube-system/konnectivity-agent",
                        "DaemonSet kube-system/konnectivity-agent");
    }

    @Test
    void imagesAreTheCatalogsForTheRunningVersion() {
        assertThat(images(AddonObjects.render(inputs("1.31.5", Set.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER))
                        .onProvider("exoscale", Optional.empty()))))
                .containsExactly(
                        "registry.k8s.io/kube-proxy:v1.31.5",
                        "registry.k8s.io/coredns/coredns:v1.11.3",
                        "registry.k8s.io/kas-network-proxy/proxy-agent:v0.31.4",
                        "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                        "docker.io/exoscale/cloud-controller-manager:0.31.0");
        assertThat(images(AddonObjects.render(inputs("1.34.1", Set.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER))
                        .onProvider("exoscale", Optional.empty()))))
                .containsExactly(
                        "registry.k8s.io/kube-proxy:v1.34.1",
                        "registry.k8s.io/coredns/coredns:v1.12.1",
                        "registry.k8s.io/kas-network-proxy/proxy-agent:v0.34.0",
                        "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
                        "docker.io/exoscale/cloud-controller-manager:0.34.0");
    }

    @Test
    void clusterDnsIsTheTenthAddressOfACustomServiceCidrOnDnsAndMetricsPorts() {
        AddonInputs inputs = inputs("1.33.4", Set.of(), "10.0.0.0/16", "172.20.0.0/16", "corp.internal");
        Service dns = find(AddonObjects.render(inputs), Service.class, "kube-dns");
        assertThat(dns.getSpec().getClusterIP()).isEqualTo("172.20.0.10");
        assertThat(dns.getSpec().getPorts())
                .extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol())
                .containsExactly("dns 53/UDP", "dns-tcp 53/TCP", "metrics 9153/TCP");
        assertThat(dns.getSpec().getSelector())
                .isEqualTo(find(AddonObjects.render(inputs), Deployment.class, "coredns")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels()
                        .entrySet()
                        .stream()
                        .filter(e -> e.getKey().equals("k8s-app"))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Test
    void theCorefileServesTheClusterDomainIsCreateOnlyAndCoreDnsCarriesNoDigestOfIt() {
        AddonInputs custom = inputs("1.33.4", Set.of(), "10.0.0.0/16", "172.20.0.0/16", "corp.internal");
        ConfigMap corefile = find(AddonObjects.render(custom), ConfigMap.class, "coredns");
        assertThat(corefile.getData().get("Corefile"))
                .contains("kubernetes corp.internal in-addr.arpa ip6.arpa {")
                .contains("forward . /etc/resolv.conf")
                .contains("reload")
                .doesNotContain("cluster.local");
        assertThat(corefile.getMetadata().getAnnotations())
                .containsEntry(Labels.CREATE_ONLY_ANNOTATION, Labels.CREATE_ONLY_VALUE);
        Deployment coredns = find(AddonObjects.render(custom), Deployment.class, "coredns");
        assertThat(coredns.getSpec().getReplicas()).isEqualTo(2);
        assertThat(coredns.getSpec().getTemplate().getMetadata().getAnnotations())
                .as("the reload plugin picks up edits; a digest would roll pods for a file the operator never rewrites")
                .isNullOrEmpty();
        assertThat(coredns)
                .isEqualTo(find(AddonObjects.render(inputs("1.33.4", Set.of())), Deployment.class, "coredns"));
    }

    @Test
    void kubeProxyUsesThePodCidrIptablesAndTheEndpointWithItsServiceAccountToken() {
        List<HasMetadata> objects =
                AddonObjects.render(inputs("1.33.4", Set.of(), "10.244.0.0/16", "10.96.0.0/12", "cluster.local"));
        ConfigMap config = find(objects, ConfigMap.class, "kube-proxy");
        Map<String, Object> proxy = new Yaml().load(config.getData().get("config.conf"));
        assertThat(proxy)
                .containsEntry("kind", "KubeProxyConfiguration")
                .containsEntry("clusterCIDR", "10.244.0.0/16")
                .containsEntry("mode", "iptables");
        Map<String, Object> kubeconfig = new Yaml().load(config.getData().get("kubeconfig.conf"));
        assertThat(kubeconfig.get("clusters"))
                .asString()
                .contains("server=" + ENDPOINT)
                .contains("certificate-authority=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
        assertThat(kubeconfig.get("users"))
                .asString()
                .contains("tokenFile=/var/run/secrets/kubernetes.io/serviceaccount/token");
        assertThat(find(objects, ClusterRoleBinding.class, "kubeadm:node-proxier")
                        .getRoleRef()
                        .getName())
                .isEqualTo("system:node-proxier");
        PodSpec pod = find(objects, DaemonSet.class, "kube-proxy")
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getContainers().get(0).getSecurityContext().getPrivileged())
                .isTrue();
        assertThat(pod.getTolerations())
                .extracting(Toleration::getOperator, Toleration::getKey)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Exists", null));
    }

    @Test
    void theKonnectivityAgentDialsTheEndpointsHostWithATokenForTheServersAudience() {
        DaemonSet agent = find(AddonObjects.render(inputs("1.33.4", Set.of())), DaemonSet.class, "konnectivity-agent");
        PodSpec pod = agent.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("konnectivity-agent");
        assertThat(pod.getContainers().get(0).getArgs())
                .contains(
                        "--proxy-server-host=203.0.113.10",
                        "--proxy-server-port=8132",
                        "--admin-server-port=8133",
                        "--health-server-port=8134",
                        "--ca-cert=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
                        "--service-account-token-path=/var/run/secrets/tokens/konnectivity-agent-token");
        var token = pod.getVolumes().get(0).getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("system:konnectivity-server");
        assertThat(token.getPath()).isEqualTo("konnectivity-agent-token");
        assertThat(pod.getContainers().get(0).getVolumeMounts().get(0).getMountPath())
                .isEqualTo("/var/run/secrets/tokens");
    }

    @Test
    void metricsServerRegistersTheMetricsApiAndVerifiesKubeletsByTheClusterCa() {
        List<HasMetadata> objects = AddonObjects.render(inputs("1.33.4", Set.of(Addon.METRICS_SERVER)));
        GenericKubernetesResource apiService = find(objects, GenericKubernetesResource.class, "v1beta1.metrics.k8s.io");
        assertThat(apiService.getApiVersion()).isEqualTo("apiregistration.k8s.io/v1");
        assertThat(apiService.getKind()).isEqualTo("APIService");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) apiService.getAdditionalProperties().get("spec");
        assertThat(spec)
                .containsEntry("group", "metrics.k8s.io")
                .containsEntry("version", "v1beta1")
                .containsEntry("service", Map.of("name", "metrics-server", "namespace", "kube-system", "port", 443));
        Container container = find(objects, Deployment.class, "metrics-server")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(container.getArgs())
                .contains(
                        "--kubelet-preferred-address-types=InternalIP",
                        "--kubelet-certificate-authority=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
                .noneMatch(arg -> arg.startsWith("--kubelet-insecure-tls"));
        assertThat(find(objects, ClusterRole.class, "system:aggregated-metrics-reader")
                        .getMetadata()
                        .getLabels())
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
        assertThat(objects)
                .extracting(AddonObjectsTest::describe)
                .contains(
                        "RoleBinding kube-system/metrics-server-auth-reader",
                        "ClusterRoleBinding metrics-server:system:auth-delegator",
                        "ClusterRoleBinding system:metrics-server",
                        "Service kube-system/metrics-server");
        assertThat(AddonObjects.removed(inputs("1.33.4", Set.of(Addon.METRICS_SERVER))))
                .extracting(AddonObjectsTest::describe)
                .noneMatch(d -> d.contains("metrics"));
    }

    @Test
    void theCloudControllerReadsTheUsersCredentialsSecretAndToleratesUninitializedNodes() {
        List<HasMetadata> objects = AddonObjects.render(
                inputs("1.33.4", Set.of(Addon.CLOUD_CONTROLLER)).onProvider("exoscale", Optional.empty()));
        PodSpec pod = find(objects, Deployment.class, "exoscale-cloud-controller-manager")
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getTolerations())
                .anyMatch(t -> "node.cloudprovider.kubernetes.io/uninitialized".equals(t.getKey())
                        && "NoSchedule".equals(t.getEffect()));
        assertThat(pod.getContainers().get(0).getEnv())
                .filteredOn(e -> e.getValueFrom() == null)
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("EXOSCALE_ZONE=ch-gva-2");
        assertThat(pod.getContainers().get(0).getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .extracting(e ->
                        e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                                + e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactly(
                        "EXOSCALE_API_KEY=exoscale-credentials/api-key",
                        "EXOSCALE_API_SECRET=exoscale-credentials/api-secret",
                        "EXOSCALE_API_ENDPOINT=exoscale-credentials/api-endpoint");
        assertThat(pod.getServiceAccountName()).isEqualTo("cloud-controller-manager");
        assertThat(objects)
                .extracting(AddonObjectsTest::describe)
                .doesNotContain("Secret kube-system/exoscale-credentials");
    }

    @Test
    void theObjectsOfAddonsNotAskedForAreListedForRemovalWorkloadsFirst() {
        assertThat(AddonObjects.removed(inputs("1.33.4", Set.of(Addon.CLOUD_CONTROLLER))))
                .extracting(AddonObjectsTest::describe)
                .containsExactly(
                        "APIService v1beta1.metrics.k8s.io",
                        "Deployment kube-system/metrics-server",
                        "Service kube-system/metrics-server",
                        "ClusterRoleBinding system:metrics-server",
                        "ClusterRoleBinding metrics-server:system:auth-delegator",
                        "RoleBinding kube-system/metrics-server-auth-reader",
                        "ClusterRole system:metrics-server",
                        "ClusterRole system:aggregated-metrics-reader",
                        "ServiceAccount kube-system/metrics-server");
        assertThat(AddonObjects.removed(inputs("1.33.4", Set.of(Addon.CLOUD_CONTROLLER, Addon.METRICS_SERVER))))
                .isEmpty();
    }

    @Test
    void sameInputsSameObjectsEveryOneLabelledAsTheOperators() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        Set<Addon> all = Set.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);
        List<HasMetadata> first = AddonObjects.render(inputs("1.33.4", all));
        assertThat(serialization.asYaml(AddonObjects.render(inputs("1.33.4", all))))
                .isEqualTo(serialization.asYaml(first));
        assertThat(first)
                .allSatisfy(object -> assertThat(object.getMetadata().getLabels())
                        .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .containsKey(Labels.ADDON));
    }

    @Test
    void calicoIsRenderedForCniCalicoAndNothingOfItForCniNone() {
        AddonInputs calico = inputs("1.33.4", Set.of(), "192.168.0.0/16", "10.96.0.0/12", "cluster.local", Cni.CALICO);
        assertThat(images(AddonObjects.render(calico)))
                .contains("quay.io/calico/node:v3.30.2", "quay.io/calico/kube-controllers:v3.30.2");
        assertThat(AddonObjects.render(calico))
                .extracting(AddonObjectsTest::describe)
                .contains(
                        "DaemonSet kube-system/calico-node",
                        "CustomResourceDefinition ippools.crd.projectcalico.org",
                        "IPPool default-ipv4-ippool");
        assertThat(AddonObjects.render(inputs("1.33.4", Set.of())))
                .extracting(AddonObjectsTest::describe)
                .noneMatch(d -> d.contains("calico") || d.contains("IPPool"));
        assertThat(AddonObjects.removed(inputs("1.33.4", Set.of(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER))))
                .as("cni: none removes nothing: a network plugin the user installed is theirs")
                .isEmpty();
    }

    private static AddonInputs inputs(String version, Set<Addon> addons) {
        return inputs(version, addons, "192.168.0.0/16", "10.96.0.0/12", "cluster.local");
    }

    private static AddonInputs inputs(
            String version, Set<Addon> addons, String podCidr, String serviceCidr, String dnsDomain) {
        return inputs(version, addons, podCidr, serviceCidr, dnsDomain, Cni.NONE);
    }

    /** As TenantBootstrap builds them: from the cluster's model, for the patch it runs. */
    private static AddonInputs inputs(
            String version, Set<Addon> addons, String podCidr, String serviceCidr, String dnsDomain, Cni cni) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant-a")
                .build());
        cluster.setSpec(new SKSClusterSpec());
        cluster.getSpec().version = version;
        cluster.getSpec().zone = "ch-gva-2";
        cluster.getSpec().cni = cni;
        cluster.getSpec().addons = List.copyOf(addons);
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.podCIDR = podCidr;
        cluster.getSpec().networking.serviceCIDR = serviceCidr;
        cluster.getSpec().networking.dnsDomain = dnsDomain;
        return AddonInputs.of(ClusterModel.from(cluster, CATALOG), KubernetesVersion.of(version), ENDPOINT);
    }

    static String describe(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return object.getKind() + " " + (namespace == null ? "" : namespace + "/")
                + object.getMetadata().getName();
    }

    static List<String> images(List<HasMetadata> objects) {
        return objects.stream()
                .flatMap(object -> {
                    if (object instanceof DaemonSet daemonSet) {
                        return containers(daemonSet.getSpec().getTemplate().getSpec());
                    }
                    if (object instanceof Deployment deployment) {
                        return containers(deployment.getSpec().getTemplate().getSpec());
                    }
                    return java.util.stream.Stream.<Container>empty();
                })
                .map(Container::getImage)
                .toList();
    }

    /** Init containers first, as they run. */
    private static java.util.stream.Stream<Container> containers(PodSpec pod) {
        return java.util.stream.Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream());
    }

    static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}
