package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.BootstrapToken;
import dev.operator.sks.join.JoinToken;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.rendering.ClusterModel;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class TenantBootstrapObjectsTest {
    private static final JoinToken CURRENT =
            new JoinToken(new BootstrapToken("abcdef", "0123456789abcdef"), Instant.parse("2025-03-02T10:00:00Z"));
    private static final JoinToken PREVIOUS =
            new JoinToken(new BootstrapToken("zyxwvu", "fedcba9876543210"), Instant.parse("2025-03-01T18:00:00Z"));
    private static String caPem;

    @BeforeAll
    static void ca() {
        caPem = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes").certificatePem();
    }

    @Test
    void everythingKubeadmJoinNeedsInAFixedOrder() {
        assertThat(TenantBootstrapObjects.render(inputs(List.of(CURRENT, PREVIOUS))))
                .extracting(TenantBootstrapObjectsTest::describe)
                .containsExactly(
                        "Role kube-public/kubeadm:bootstrap-signer-clusterinfo",
                        "RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo",
                        "ClusterRoleBinding kubeadm:kubelet-bootstrap",
                        "ClusterRoleBinding kubeadm:node-autoapprove-bootstrap",
                        "ClusterRoleBinding kubeadm:node-autoapprove-certificate-rotation",
                        "ClusterRole kubeadm:get-nodes",
                        "ClusterRoleBinding kubeadm:get-nodes",
                        "Role kube-system/kubeadm:nodes-kubeadm-config",
                        "RoleBinding kube-system/kubeadm:nodes-kubeadm-config",
                        "Role kube-system/kubeadm:kubelet-config",
                        "RoleBinding kube-system/kubeadm:kubelet-config",
                        "ClusterRoleBinding system:konnectivity-server",
                        "ClusterRole cluster-autoscaler",
                        "ClusterRoleBinding cluster-autoscaler",
                        "Role kube-system/cluster-autoscaler",
                        "RoleBinding kube-system/cluster-autoscaler",
                        "ConfigMap kube-public/cluster-info",
                        "ConfigMap kube-system/kubeadm-config",
                        "ConfigMap kube-system/kubelet-config",
                        "Secret kube-system/bootstrap-token-abcdef",
                        "Secret kube-system/bootstrap-token-zyxwvu");
    }

    @Test
    void clusterRoleBindingsGrantTheBootstrapAndApprovalRightsToTheRightSubjects() {
        Map<String, String> bindings = TenantBootstrapObjects.rbac().stream()
                .filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast)
                .collect(Collectors.toMap(
                        b -> b.getMetadata().getName(),
                        b -> b.getRoleRef().getKind() + " " + b.getRoleRef().getName() + " -> "
                                + subjects(b.getSubjects())));
        assertThat(bindings)
                .containsOnly(
                        Map.entry(
                                "kubeadm:kubelet-bootstrap",
                                "ClusterRole system:node-bootstrapper"
                                        + " -> Group system:bootstrappers:kubeadm:default-node-token"),
                        Map.entry(
                                "kubeadm:node-autoapprove-bootstrap",
                                "ClusterRole system:certificates.k8s.io:certificatesigningrequests:nodeclient"
                                        + " -> Group system:bootstrappers:kubeadm:default-node-token"),
                        Map.entry(
                                "kubeadm:node-autoapprove-certificate-rotation",
                                "ClusterRole system:certificates.k8s.io:certificatesigningrequests:selfnodeclient -> Group system:nodes"),
                        Map.entry(
                                "kubeadm:get-nodes",
                                "ClusterRole kubeadm:get-nodes -> Group system:bootstrappers:kubeadm:default-node-token"),
                        Map.entry(
                                "system:konnectivity-server",
                                "ClusterRole system:auth-delegator -> User system:konnectivity-server"),
                        Map.entry(
                                "cluster-autoscaler",
                                "ClusterRole cluster-autoscaler -> User system:cluster-autoscaler"));
        ClusterRole getNodes = TenantBootstrapObjects.rbac().stream()
                .filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(getNodes.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("nodes");
            assertThat(rule.getVerbs()).containsExactly("get");
        });
    }

    @Test
    void rolesLetBootstrapTokensGetOnlyTheirConfigMaps() {
        List<HasMetadata> rbac = TenantBootstrapObjects.rbac();
        Map<String, String> roles = rbac.stream()
                .filter(Role.class::isInstance)
                .map(Role.class::cast)
                .collect(Collectors.toMap(
                        r -> r.getMetadata().getName(),
                        r -> r.getRules().stream()
                                .map(rule ->
                                        rule.getVerbs() + " " + rule.getResources() + " " + rule.getResourceNames())
                                .collect(Collectors.joining(";"))));
        assertThat(roles)
                .containsOnly(
                        Map.entry("kubeadm:bootstrap-signer-clusterinfo", "[get] [configmaps] [cluster-info]"),
                        Map.entry("kubeadm:nodes-kubeadm-config", "[get] [configmaps] [kubeadm-config]"),
                        Map.entry("kubeadm:kubelet-config", "[get] [configmaps] [kubelet-config]"),
                        // upstream's kube-system Role: the autoscaler may create its status ConfigMap but change only
                        // its own two by name, nothing a bootstrap token reads
                        Map.entry(
                                "cluster-autoscaler",
                                "[create, list, watch] [configmaps] [];[delete, get, update, watch] [configmaps]"
                                        + " [cluster-autoscaler-status, cluster-autoscaler-priority-expander]"));
        Map<String, String> bindings = rbac.stream()
                .filter(RoleBinding.class::isInstance)
                .map(RoleBinding.class::cast)
                .collect(Collectors.toMap(b -> b.getMetadata().getName(), b -> subjects(b.getSubjects())));
        assertThat(bindings)
                .containsOnly(
                        Map.entry(
                                "kubeadm:bootstrap-signer-clusterinfo",
                                "User system:anonymous, Group system:bootstrappers"),
                        Map.entry(
                                "kubeadm:nodes-kubeadm-config",
                                "Group system:bootstrappers:kubeadm:default-node-token, Group system:nodes"),
                        Map.entry(
                                "kubeadm:kubelet-config",
                                "Group system:bootstrappers:kubeadm:default-node-token, Group system:nodes"),
                        Map.entry("cluster-autoscaler", "User system:cluster-autoscaler"));
    }

    @Test
    void clusterInfoIsAKubeconfigWithTheServerAndCaOnlyInAnUnnamedCluster() {
        ConfigMap clusterInfo = TenantBootstrapObjects.clusterInfo(inputs(List.of(CURRENT)));
        assertThat(clusterInfo.getData()).containsOnlyKeys("kubeconfig");
        Map<String, Object> kubeconfig = new Yaml().load(clusterInfo.getData().get("kubeconfig"));
        assertThat(kubeconfig)
                .containsEntry("kind", "Config")
                .containsEntry("users", List.of())
                .containsEntry("contexts", List.of());
        List<Map<String, Object>> clusters = cast(kubeconfig.get("clusters"));
        assertThat(clusters).singleElement().satisfies(named -> {
            assertThat(named.get("name")).isEqualTo("");
            Map<String, Object> cluster = cast(named.get("cluster"));
            assertThat(cluster).containsOnlyKeys("server", "certificate-authority-data");
            assertThat(cluster.get("server")).isEqualTo("https://203.0.113.10:443");
            assertThat(new String(
                            Base64.getDecoder().decode((String) cluster.get("certificate-authority-data")),
                            StandardCharsets.UTF_8))
                    .isEqualTo(caPem);
        });
    }

    @Test
    void kubeletAndKubeadmConfigurationCarryTheClustersNetworking() {
        TenantBootstrapInputs inputs = inputs(List.of(CURRENT));
        Map<String, Object> kubelet = new Yaml()
                .load(TenantBootstrapObjects.kubeletConfig(inputs).getData().get("kubelet"));
        assertThat(kubelet)
                .containsEntry("kind", "KubeletConfiguration")
                .containsEntry("clusterDNS", List.of("10.96.0.10"))
                .containsEntry("clusterDomain", "cluster.local")
                .containsEntry("cgroupDriver", "systemd")
                .containsEntry("rotateCertificates", true);
        assertThat(TenantBootstrapObjectsTest.<Map<String, Object>>cast(kubelet.get("authorization")))
                .containsEntry("mode", "Webhook");

        Map<String, Object> kubeadm = new Yaml()
                .load(TenantBootstrapObjects.kubeadmConfig(inputs).getData().get("ClusterConfiguration"));
        assertThat(kubeadm)
                .containsEntry("apiVersion", "kubeadm.k8s.io/v1beta4")
                .containsEntry("kind", "ClusterConfiguration")
                .containsEntry("clusterName", "demo")
                .containsEntry("kubernetesVersion", "v1.33.4")
                .containsEntry("controlPlaneEndpoint", "203.0.113.10:443");
        assertThat(TenantBootstrapObjectsTest.<Map<String, Object>>cast(kubeadm.get("networking")))
                .containsEntry("serviceSubnet", "10.96.0.0/12")
                .containsEntry("podSubnet", "192.168.0.0/16")
                .containsEntry("dnsDomain", "cluster.local");
        assertThat(TenantBootstrapObjects.kubeadmVersion(KubernetesVersion.of("1.34")))
                .isEqualTo("v1.34.0");
    }

    @Test
    void tokenSecretsAreBootstrapTokensWrittenAsData() {
        List<Secret> secrets = TenantBootstrapObjects.render(inputs(List.of(CURRENT))).stream()
                .filter(Secret.class::isInstance)
                .map(Secret.class::cast)
                .toList();
        assertThat(secrets).singleElement().satisfies(secret -> {
            assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
            assertThat(secret.getStringData()).isNullOrEmpty();
            assertThat(new String(
                            Base64.getDecoder().decode(secret.getData().get("token-secret")), StandardCharsets.UTF_8))
                    .isEqualTo("0123456789abcdef");
        });
    }

    @Test
    void theSameInputsGiveTheSameObjectsAndTheirDescriptionHidesTokens() {
        TenantBootstrapInputs inputs = inputs(List.of(CURRENT, PREVIOUS));
        assertThat(TenantBootstrapObjects.render(inputs))
                .isEqualTo(TenantBootstrapObjects.render(inputs(List.of(CURRENT, PREVIOUS))));
        assertThat(inputs.toString())
                .contains("abcdef", "zyxwvu")
                .doesNotContain("0123456789abcdef", "fedcba9876543210", "BEGIN CERTIFICATE");
    }

    private static TenantBootstrapInputs inputs(List<JoinToken> tokens) {
        return new TenantBootstrapInputs(
                "demo",
                "https://203.0.113.10:443",
                caPem,
                KubernetesVersion.of("1.33.4"),
                new ClusterModel.Network("192.168.0.0/16", "10.96.0.0/12", "cluster.local"),
                tokens);
    }

    private static String describe(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return object.getKind() + " " + (namespace == null ? "" : namespace + "/")
                + object.getMetadata().getName();
    }

    private static String subjects(List<Subject> subjects) {
        return subjects.stream().map(s -> s.getKind() + " " + s.getName()).collect(Collectors.joining(", "));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

    /** What the cluster-autoscaler reads to simulate scheduling and drain, and no write beyond upstream's. */
    @Test
    void theAutoscalerUserGetsUpstreamsRightsAndNoSecrets() {
        ClusterRole role = TenantBootstrapObjects.rbac().stream()
                .filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals(TenantBootstrapObjects.CLUSTER_AUTOSCALER_ROLE))
                .findFirst()
                .orElseThrow();
        assertThat(role.getRules())
                .anySatisfy(r -> {
                    assertThat(r.getApiGroups()).containsExactly("");
                    assertThat(r.getResources()).contains("pods", "namespaces", "persistentvolumes");
                    assertThat(r.getVerbs()).containsExactly("watch", "list", "get");
                })
                .anySatisfy(r -> {
                    assertThat(r.getResources()).containsExactly("nodes");
                    assertThat(r.getVerbs()).contains("update");
                })
                .anySatisfy(r -> {
                    assertThat(r.getApiGroups()).containsExactly("policy");
                    assertThat(r.getResources()).containsExactly("poddisruptionbudgets");
                })
                .anySatisfy(r -> assertThat(r.getResources()).containsExactly("pods/eviction"))
                .noneSatisfy(r -> assertThat(r.getResources()).contains("secrets"))
                .noneSatisfy(r -> assertThat(r.getVerbs()).contains("*"));
    }
}
