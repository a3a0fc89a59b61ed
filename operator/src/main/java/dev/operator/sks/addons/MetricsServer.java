package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * metrics-server (addon {@code metrics-server}): the {@code metrics.k8s.io} API behind {@code kubectl top} and the
 * HorizontalPodAutoscaler, as its upstream manifest installs it, with one deliberate difference: it verifies kubelets
 * against the cluster CA ({@code --kubelet-certificate-authority}) instead of skipping verification. Kubelets therefore
 * need serving certificates signed by the cluster CA: the nodepools' kubelets join with {@code serverTLSBootstrap} and
 * the operator approves their requests ({@code KubeletServingRequests}); a kubelet with a self-signed serving
 * certificate (a machine joined by hand) is not scraped.
 *
 * <p>The API server reaches it through konnectivity; like upstream, the APIService skips verifying metrics-server's
 * self-signed serving certificate, the connection being authenticated by the front-proxy client certificate.
 */
public final class MetricsServer {
    public static final String ADDON = Names.METRICS_SERVER;
    static final String AGGREGATED_READER = "system:aggregated-metrics-reader";
    static final String CLUSTER_ROLE = "system:metrics-server";
    static final String AUTH_DELEGATOR_BINDING = "metrics-server:system:auth-delegator";
    static final String AUTH_READER_BINDING = "metrics-server-auth-reader";
    static final int SECURE_PORT = 10250;
    static final String API_GROUP = "metrics.k8s.io";

    private MetricsServer() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.METRICS_SERVER),
                aggregatedReader(),
                AddonParts.clusterRole(
                        ADDON,
                        CLUSTER_ROLE,
                        AddonParts.rule("", List.of("nodes/metrics"), "get"),
                        AddonParts.rule("", List.of("pods", "nodes"), "get", "list", "watch")),
                // Reads the front-proxy CA from kube-system/extension-apiserver-authentication to trust the API server.
                AddonParts.roleBinding(
                        ADDON, AUTH_READER_BINDING, "extension-apiserver-authentication-reader", Names.METRICS_SERVER),
                // Delegates authentication and authorization of its callers to the API server.
                AddonParts.clusterRoleBinding(
                        ADDON, AUTH_DELEGATOR_BINDING, "system:auth-delegator", Names.METRICS_SERVER),
                AddonParts.clusterRoleBinding(ADDON, CLUSTER_ROLE, CLUSTER_ROLE, Names.METRICS_SERVER),
                service(),
                deployment(inputs),
                apiService());
    }

    /** Lets admin, edit and view read pod and node metrics, through ClusterRole aggregation. */
    static ClusterRole aggregatedReader() {
        ClusterRole role = AddonParts.clusterRole(
                ADDON, AGGREGATED_READER, AddonParts.rule(API_GROUP, List.of("pods", "nodes"), "get", "list", "watch"));
        for (String aggregate : List.of("admin", "edit", "view")) {
            role.getMetadata().getLabels().put("rbac.authorization.k8s.io/aggregate-to-" + aggregate, "true");
        }
        return role;
    }

    static Service service() {
        return new ServiceBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.METRICS_SERVER))
                .withNewSpec()
                .withSelector(AddonParts.selector(Names.METRICS_SERVER))
                .addNewPort()
                .withName("https")
                .withPort(443)
                .withProtocol("TCP")
                .withTargetPort(new IntOrString("https"))
                .endPort()
                .endSpec()
                .build();
    }

    static List<String> args() {
        return List.of(
                "--cert-dir=/tmp",
                "--secure-port=" + SECURE_PORT,
                // Nodes register their private address as InternalIP; it is the one reachable from inside the cluster.
                "--kubelet-preferred-address-types=InternalIP",
                "--kubelet-use-node-status-port",
                "--kubelet-certificate-authority=" + AddonParts.SERVICE_ACCOUNT_DIR + "/ca.crt",
                "--metric-resolution=15s");
    }

    static Deployment deployment(AddonInputs inputs) {
        return new DeploymentBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.METRICS_SERVER))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.METRICS_SERVER))
                .endSelector()
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0))
                .endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.METRICS_SERVER))
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .withServiceAccountName(Names.METRICS_SERVER)
                .withNodeSelector(AddonParts.LINUX_NODES)
                .addNewContainer()
                .withName(Names.METRICS_SERVER)
                .withImage(inputs.image(Component.METRICS_SERVER))
                .withArgs(args())
                .addNewPort()
                .withName("https")
                .withContainerPort(SECURE_PORT)
                .withProtocol("TCP")
                .endPort()
                .withNewResources()
                .withRequests(new TreeMap<>(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("200Mi"))))
                .endResources()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/livez")
                .withPort(new IntOrString("https"))
                .withScheme("HTTPS")
                .endHttpGet()
                .withPeriodSeconds(10)
                .withFailureThreshold(3)
                .endLivenessProbe()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/readyz")
                .withPort(new IntOrString("https"))
                .withScheme("HTTPS")
                .endHttpGet()
                .withInitialDelaySeconds(20)
                .withPeriodSeconds(10)
                .withFailureThreshold(3)
                .endReadinessProbe()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withRunAsUser(1000L)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("tmp-dir")
                .withMountPath("/tmp")
                .endVolumeMount()
                .endContainer()
                .withVolumes(new VolumeBuilder()
                        .withName("tmp-dir")
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The {@code v1beta1.metrics.k8s.io} APIService (apiregistration.k8s.io/v1, served since 1.10); generic because the
     * client has no model of that API.
     */
    static GenericKubernetesResource apiService() {
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("name", Names.METRICS_SERVER);
        service.put("namespace", AddonParts.NAMESPACE);
        service.put("port", 443);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("group", API_GROUP);
        spec.put("version", "v1beta1");
        spec.put("groupPriorityMinimum", 100);
        spec.put("versionPriority", 100);
        spec.put("insecureSkipTLSVerify", true);
        spec.put("service", service);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("apiregistration.k8s.io/v1")
                .withKind("APIService")
                .withMetadata(AddonParts.clusterScoped(ADDON, Names.METRICS_API_SERVICE))
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }
}
