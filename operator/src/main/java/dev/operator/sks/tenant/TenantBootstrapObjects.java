package dev.operator.sks.tenant;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.BootstrapTokens;
import dev.operator.sks.join.ConfigYaml;
import dev.operator.sks.join.JoinToken;
import dev.operator.sks.join.UserDataRenderer;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects a tenant cluster needs for {@code kubeadm join} to work, as {@code kubeadm init} would have made them
 * (same names, so kubeadm and its documentation apply): cluster-info for discovery, the bootstrap tokens, the
 * kubeadm and kubelet configuration joining nodes download, and the RBAC letting bootstrap tokens read those, post
 * node certificate requests and have them approved. Plus konnectivity-server's right to review tokens.
 *
 * <p>Pure: same inputs, same objects, in a fixed order (RBAC, then configuration, then tokens, so a token is usable
 * only once what it needs exists).
 */
public final class TenantBootstrapObjects {
    // RBAC names and subjects, as kubeadm names them.
    public static final String CLUSTER_INFO_ROLE = "kubeadm:bootstrap-signer-clusterinfo";
    public static final String KUBELET_BOOTSTRAP_BINDING = "kubeadm:kubelet-bootstrap";
    public static final String NODE_AUTOAPPROVE_BINDING = "kubeadm:node-autoapprove-bootstrap";
    public static final String CERTIFICATE_ROTATION_BINDING = "kubeadm:node-autoapprove-certificate-rotation";
    public static final String GET_NODES = "kubeadm:get-nodes";
    public static final String KUBEADM_CONFIG_ROLE = "kubeadm:nodes-kubeadm-config";
    public static final String KUBELET_CONFIG_ROLE = "kubeadm:kubelet-config";
    public static final String KONNECTIVITY_BINDING = "system:konnectivity-server";
    static final String ANONYMOUS_USER = "system:anonymous";
    static final String NODES_GROUP = "system:nodes";
    static final String KONNECTIVITY_USER = "system:konnectivity-server";
    /** The cluster's cluster-autoscaler: its ClusterRole, binding and kube-system Role, as upstream's manifest names them. */
    public static final String CLUSTER_AUTOSCALER_ROLE = "cluster-autoscaler";
    /** The user of the autoscaler's tenant kubeconfig (its certificate's CN, from the cluster CA). */
    public static final String CLUSTER_AUTOSCALER_USER = "system:cluster-autoscaler";

    static final String CLUSTER_INFO_KUBECONFIG_KEY = "kubeconfig";
    static final String KUBEADM_CONFIG_KEY = "ClusterConfiguration";
    static final String KUBELET_CONFIG_KEY = "kubelet";
    static final String CERTIFICATES_DIR = "/etc/kubernetes/pki";

    private TenantBootstrapObjects() {}

    public static List<HasMetadata> render(TenantBootstrapInputs inputs) {
        List<HasMetadata> objects = new ArrayList<>(rbac());
        objects.add(clusterInfo(inputs));
        objects.add(kubeadmConfig(inputs));
        objects.add(kubeletConfig(inputs));
        for (JoinToken token : inputs.tokens()) {
            objects.add(BootstrapTokens.tenantSecret(token, inputs.clusterName()));
        }
        return objects;
    }

    /** The RBAC, independent of any cluster's inputs. */
    public static List<HasMetadata> rbac() {
        List<HasMetadata> objects = new ArrayList<>();
        // Discovery reads cluster-info before it trusts the server, hence anonymously; bootstrappers may read it too.
        objects.add(role(Names.TENANT_KUBE_PUBLIC, CLUSTER_INFO_ROLE, Names.CLUSTER_INFO_CONFIG_MAP));
        objects.add(roleBinding(
                Names.TENANT_KUBE_PUBLIC,
                CLUSTER_INFO_ROLE,
                user(ANONYMOUS_USER),
                group(BootstrapTokens.BOOTSTRAPPERS_GROUP)));
        // Bootstrap tokens may post CSRs for their node's first client certificate...
        objects.add(clusterRoleBinding(
                KUBELET_BOOTSTRAP_BINDING, "system:node-bootstrapper", group(BootstrapTokens.NODE_BOOTSTRAP_GROUP)));
        // ...which the controller-manager's csrapproving controller then approves,
        objects.add(clusterRoleBinding(
                NODE_AUTOAPPROVE_BINDING,
                "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                group(BootstrapTokens.NODE_BOOTSTRAP_GROUP)));
        // as it approves nodes renewing their own client certificates.
        objects.add(clusterRoleBinding(
                CERTIFICATE_ROTATION_BINDING,
                "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                group(NODES_GROUP)));
        // kubeadm join checks that no Node of the same name exists yet.
        objects.add(new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(GET_NODES)
                .withLabels(managedBy())
                .endMetadata()
                .withRules(new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("nodes")
                        .withVerbs("get")
                        .build())
                .build());
        objects.add(new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(GET_NODES)
                .withLabels(managedBy())
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", GET_NODES)
                .withSubjects(group(BootstrapTokens.NODE_BOOTSTRAP_GROUP))
                .build());
        // kubeadm join downloads the cluster's kubeadm and kubelet configuration.
        objects.add(role(Names.TENANT_KUBE_SYSTEM, KUBEADM_CONFIG_ROLE, Names.KUBEADM_CONFIG_CONFIG_MAP));
        objects.add(roleBinding(
                Names.TENANT_KUBE_SYSTEM,
                KUBEADM_CONFIG_ROLE,
                group(BootstrapTokens.NODE_BOOTSTRAP_GROUP),
                group(NODES_GROUP)));
        objects.add(role(Names.TENANT_KUBE_SYSTEM, KUBELET_CONFIG_ROLE, Names.KUBELET_CONFIG_CONFIG_MAP));
        objects.add(roleBinding(
                Names.TENANT_KUBE_SYSTEM,
                KUBELET_CONFIG_ROLE,
                group(BootstrapTokens.NODE_BOOTSTRAP_GROUP),
                group(NODES_GROUP)));
        // konnectivity-server authenticates its agents' service-account tokens with TokenReviews.
        objects.add(clusterRoleBinding(KONNECTIVITY_BINDING, "system:auth-delegator", user(KONNECTIVITY_USER)));
        objects.addAll(clusterAutoscalerRbac());
        return objects;
    }

    /**
     * The rights upstream's cluster-autoscaler manifest gives it, bound to the user of its tenant kubeconfig rather than
     * to a ServiceAccount (it runs next to the control plane, not in the tenant). Bound in every tenant: without a
     * certificate for the user, which only an autoscaled cluster gets, the binding grants nothing.
     */
    static List<HasMetadata> clusterAutoscalerRbac() {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(CLUSTER_AUTOSCALER_ROLE)
                .withLabels(managedBy())
                .endMetadata()
                .withRules(
                        rule(List.of(""), List.of("events", "endpoints"), "create", "patch"),
                        rule(List.of(""), List.of("pods/eviction"), "create"),
                        rule(List.of(""), List.of("pods/status"), "update"),
                        new PolicyRuleBuilder()
                                .withApiGroups("")
                                .withResources("endpoints")
                                .withResourceNames(CLUSTER_AUTOSCALER_ROLE)
                                .withVerbs("get", "update")
                                .build(),
                        rule(List.of(""), List.of("nodes"), "watch", "list", "get", "update"),
                        rule(
                                List.of(""),
                                List.of(
                                        "namespaces",
                                        "pods",
                                        "services",
                                        "replicationcontrollers",
                                        "persistentvolumeclaims",
                                        "persistentvolumes"),
                                "watch",
                                "list",
                                "get"),
                        rule(List.of("extensions"), List.of("replicasets", "daemonsets"), "watch", "list", "get"),
                        rule(List.of("policy"), List.of("poddisruptionbudgets"), "watch", "list"),
                        rule(
                                List.of("apps"),
                                List.of("statefulsets", "replicasets", "daemonsets"),
                                "watch",
                                "list",
                                "get"),
                        rule(
                                List.of("storage.k8s.io"),
                                List.of(
                                        "storageclasses",
                                        "csinodes",
                                        "csidrivers",
                                        "csistoragecapacities",
                                        "volumeattachments"),
                                "watch",
                                "list",
                                "get"),
                        rule(List.of("batch", "extensions"), List.of("jobs"), "get", "list", "watch", "patch"),
                        rule(List.of("coordination.k8s.io"), List.of("leases"), "create"),
                        new PolicyRuleBuilder()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withResourceNames(CLUSTER_AUTOSCALER_ROLE)
                                .withVerbs("get", "update")
                                .build(),
                        // Newer releases read dynamic resource allocation objects when the API is served.
                        rule(
                                List.of("resource.k8s.io"),
                                List.of("resourceclaims", "resourceslices", "deviceclasses"),
                                "watch",
                                "list",
                                "get"))
                .build());
        objects.add(
                clusterRoleBinding(CLUSTER_AUTOSCALER_ROLE, CLUSTER_AUTOSCALER_ROLE, user(CLUSTER_AUTOSCALER_USER)));
        // Its status ConfigMap in kube-system (--namespace), as upstream's Role there allows.
        objects.add(new RoleBuilder()
                .withNewMetadata()
                .withName(CLUSTER_AUTOSCALER_ROLE)
                .withNamespace(Names.TENANT_KUBE_SYSTEM)
                .withLabels(managedBy())
                .endMetadata()
                .withRules(
                        rule(List.of(""), List.of("configmaps"), "create", "list", "watch"),
                        new PolicyRuleBuilder()
                                .withApiGroups("")
                                .withResources("configmaps")
                                .withResourceNames("cluster-autoscaler-status", "cluster-autoscaler-priority-expander")
                                .withVerbs("delete", "get", "update", "watch")
                                .build())
                .build());
        objects.add(roleBinding(Names.TENANT_KUBE_SYSTEM, CLUSTER_AUTOSCALER_ROLE, user(CLUSTER_AUTOSCALER_USER)));
        return objects;
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule rule(
            List<String> apiGroups, List<String> resources, String... verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(apiGroups)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    /**
     * kube-public/cluster-info: a kubeconfig with the server and CA only, its cluster unnamed as kubeadm looks it up.
     * The tenant's bootstrapsigner adds a {@code jws-kubeconfig-<token id>} signature per token; applying this
     * object with server-side apply leaves those keys alone.
     */
    public static ConfigMap clusterInfo(TenantBootstrapInputs inputs) {
        return configMap(
                Names.TENANT_KUBE_PUBLIC,
                Names.CLUSTER_INFO_CONFIG_MAP,
                CLUSTER_INFO_KUBECONFIG_KEY,
                clusterInfoKubeconfig(inputs.serverUrl(), inputs.caCertificatePem()));
    }

    static String clusterInfoKubeconfig(String serverUrl, String caCertificatePem) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put(
                "certificate-authority-data",
                Base64.getEncoder().encodeToString(caCertificatePem.getBytes(StandardCharsets.UTF_8)));
        cluster.put("server", serverUrl);
        Map<String, Object> namedCluster = new LinkedHashMap<>();
        namedCluster.put("cluster", cluster);
        namedCluster.put("name", "");
        Map<String, Object> kubeconfig = new LinkedHashMap<>();
        kubeconfig.put("apiVersion", "v1");
        kubeconfig.put("kind", "Config");
        kubeconfig.put("clusters", List.of(namedCluster));
        kubeconfig.put("contexts", List.of());
        kubeconfig.put("current-context", "");
        kubeconfig.put("preferences", Map.of());
        kubeconfig.put("users", List.of());
        return ConfigYaml.write(kubeconfig);
    }

    /** kube-system/kubeadm-config: the ClusterConfiguration kubeadm join reads to learn about the cluster. */
    public static ConfigMap kubeadmConfig(TenantBootstrapInputs inputs) {
        Map<String, Object> networking = new LinkedHashMap<>();
        networking.put("dnsDomain", inputs.network().dnsDomain());
        networking.put("podSubnet", inputs.network().podCidr());
        networking.put("serviceSubnet", inputs.network().serviceCidr());
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("apiVersion", UserDataRenderer.kubeadmApiVersion(inputs.kubernetesVersion()));
        configuration.put("kind", "ClusterConfiguration");
        configuration.put("clusterName", inputs.clusterName());
        configuration.put("kubernetesVersion", kubeadmVersion(inputs.kubernetesVersion()));
        configuration.put("controlPlaneEndpoint", hostPort(inputs.serverUrl()));
        configuration.put("certificatesDir", CERTIFICATES_DIR);
        configuration.put("networking", networking);
        return configMap(
                Names.TENANT_KUBE_SYSTEM,
                Names.KUBEADM_CONFIG_CONFIG_MAP,
                KUBEADM_CONFIG_KEY,
                ConfigYaml.write(configuration));
    }

    /** kube-system/kubelet-config: the KubeletConfiguration kubeadm join writes for every joining kubelet. */
    public static ConfigMap kubeletConfig(TenantBootstrapInputs inputs) {
        Map<String, Object> authentication = new LinkedHashMap<>();
        authentication.put("anonymous", Map.of("enabled", false));
        authentication.put("webhook", Map.of("enabled", true));
        authentication.put("x509", Map.of("clientCAFile", CERTIFICATES_DIR + "/ca.crt"));
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("apiVersion", "kubelet.config.k8s.io/v1beta1");
        configuration.put("kind", "KubeletConfiguration");
        configuration.put("authentication", authentication);
        configuration.put("authorization", Map.of("mode", "Webhook"));
        configuration.put("cgroupDriver", "systemd");
        configuration.put("clusterDNS", List.of(inputs.network().clusterDns()));
        configuration.put("clusterDomain", inputs.network().dnsDomain());
        configuration.put("rotateCertificates", true);
        configuration.put("staticPodPath", "/etc/kubernetes/manifests");
        return configMap(
                Names.TENANT_KUBE_SYSTEM,
                Names.KUBELET_CONFIG_CONFIG_MAP,
                KUBELET_CONFIG_KEY,
                ConfigYaml.write(configuration));
    }

    /** {@code v1.33.4}; a version given as a minor only is taken as its .0, what kubeadm needs to parse it. */
    static String kubeadmVersion(KubernetesVersion version) {
        return "v" + version.minorVersion() + "." + version.patch().orElse(0);
    }

    static String hostPort(String serverUrl) {
        return serverUrl.replaceFirst("^https://", "").replaceFirst("/.*$", "");
    }

    private static ConfigMap configMap(String namespace, String name, String key, String value) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(managedBy())
                .endMetadata()
                .withData(Map.of(key, value))
                .build();
    }

    private static Role role(String namespace, String name, String configMap) {
        return new RoleBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(managedBy())
                .endMetadata()
                .withRules(new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("configmaps")
                        .withResourceNames(configMap)
                        .withVerbs("get")
                        .build())
                .build();
    }

    private static RoleBinding roleBinding(String namespace, String role, Subject... subjects) {
        return new RoleBindingBuilder()
                .withNewMetadata()
                .withName(role)
                .withNamespace(namespace)
                .withLabels(managedBy())
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", role)
                .withSubjects(subjects)
                .build();
    }

    private static ClusterRoleBinding clusterRoleBinding(String name, String clusterRole, Subject... subjects) {
        return new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(managedBy())
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                .withSubjects(subjects)
                .build();
    }

    private static Subject group(String name) {
        return new SubjectBuilder()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Group")
                .withName(name)
                .build();
    }

    private static Subject user(String name) {
        return new SubjectBuilder()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("User")
                .withName(name)
                .build();
    }

    private static Map<String, String> managedBy() {
        return Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    }

    /** The cloud controller's credentials Secret in the tenant, with the data (already encoded) it is copied from. */
    public static Secret cloudControllerCredentials(String name, Map<String, String> encodedData) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(Names.TENANT_KUBE_SYSTEM)
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
                .endMetadata()
                .withType("Opaque")
                .withData(new TreeMap<>(encodedData))
                .build();
    }
}
