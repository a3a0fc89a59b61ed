package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cloud controller manager of the cluster's compute provider (addon {@code cloud-controller}); which one is
 * {@link #flavour}'s choice. The kubelets run with {@code --cloud-provider=external}, so new nodes carry the
 * {@code node.cloudprovider.kubernetes.io/uninitialized} taint until it ran; it tolerates that taint, or it could
 * never start.
 *
 * <p>On Exoscale: initializes nodes from their Exoscale instances (addresses, zone, instance type), gives LoadBalancer
 * Services Exoscale network load balancers, and approves kubelets' serving-certificate requests. Its API key comes from
 * the Secret {@code kube-system/exoscale-credentials} (keys {@code api-key}, {@code api-secret},
 * {@code api-endpoint}), a copy of the key the operator made for this cluster alone. Until it exists the pod waits in
 * CreateContainerConfigError.
 *
 * <p>On KubeVirt: {@link KubeVirtCloudController}.
 */
public final class CloudController {
    public static final String ADDON = Names.CLOUD_CONTROLLER_MANAGER;
    static final String CLUSTER_ROLE = "system:cloud-controller-manager";
    static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

    private CloudController() {}

    /** Which cloud controller a compute provider's nodes need. */
    public enum Flavour {
        EXOSCALE,
        KUBEVIRT,
        /** The simulated provider's: the operator itself initializes its Nodes and serves its load balancers. */
        OPERATOR
    }

    /** Exoscale's CCM on Exoscale, KubeVirt's on KubeVirt; on the simulated provider the operator plays it. */
    public static Flavour flavour(String provider) {
        return switch (provider) {
            case "exoscale" -> Flavour.EXOSCALE;
            case "kubevirt" -> Flavour.KUBEVIRT;
            default -> Flavour.OPERATOR;
        };
    }

    /** The tenant's kube-system Secret the cloud controller reads its credentials from; none for the operator's. */
    public static Optional<String> credentialsSecret(AddonInputs inputs) {
        return switch (flavour(inputs.cloud().provider())) {
            case EXOSCALE -> Optional.of(Names.EXOSCALE_CREDENTIALS_SECRET);
            case KUBEVIRT -> Optional.of(Names.KUBEVIRT_INFRA_KUBECONFIG_SECRET);
            case OPERATOR -> Optional.empty();
        };
    }

    /** What the tenant runs as its cloud controller: nothing where the operator is it. */
    public static List<HasMetadata> objects(AddonInputs inputs) {
        return switch (flavour(inputs.cloud().provider())) {
            case EXOSCALE -> exoscale(inputs);
            case KUBEVIRT -> KubeVirtCloudController.objects(inputs);
            case OPERATOR -> List.of();
        };
    }

    /**
     * The pod template's annotations: the revision of the credentials, so the pods restart on new ones (a cloud
     * controller reads them once, at start).
     */
    static Map<String, String> credentialsAnnotations(AddonInputs inputs) {
        return inputs.cloud()
                .credentialsRevision()
                .map(revision -> Map.of(Labels.CREDENTIALS_REVISION_ANNOTATION, revision))
                .orElse(Map.of());
    }

    /** The taints the cloud controller must run despite: it is what lifts the first, on a node nothing else runs on. */
    static List<Toleration> tolerations() {
        return List.of(
                new TolerationBuilder()
                        .withKey(UNINITIALIZED_TAINT)
                        .withValue("true")
                        .withEffect("NoSchedule")
                        .build(),
                AddonParts.criticalAddonsOnly(),
                new TolerationBuilder()
                        .withKey("node.kubernetes.io/not-ready")
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build());
    }

    private static List<HasMetadata> exoscale(AddonInputs inputs) {
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                clusterRole(),
                AddonParts.clusterRoleBinding(
                        ADDON, CLUSTER_ROLE, CLUSTER_ROLE, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                deployment(inputs));
    }

    /** The rights of the upstream manifest. */
    static ClusterRole clusterRole() {
        List<PolicyRule> rules = new ArrayList<>(commonRules());
        rules.add(AddonParts.rule("certificates.k8s.io", List.of("certificatesigningrequests"), "list", "watch"));
        rules.add(AddonParts.rule("certificates.k8s.io", List.of("certificatesigningrequests/approval"), "update"));
        rules.add(new PolicyRuleBuilder()
                .withApiGroups("certificates.k8s.io")
                .withResources("signers")
                .withResourceNames("kubernetes.io/kubelet-serving")
                .withVerbs("approve")
                .build());
        return AddonParts.clusterRole(ADDON, CLUSTER_ROLE, rules.toArray(PolicyRule[]::new));
    }

    /** What every cloud controller manager does in its cluster: the rights of the upstream manifests. */
    static List<PolicyRule> commonRules() {
        return List.of(
                AddonParts.rule("coordination.k8s.io", List.of("leases"), "get", "create", "update"),
                AddonParts.rule("", List.of("events"), "create", "patch", "update"),
                AddonParts.rule("", List.of("nodes"), "*"),
                AddonParts.rule("", List.of("configmaps"), "get", "list", "watch"),
                AddonParts.rule("", List.of("nodes/status"), "patch"),
                AddonParts.rule("", List.of("services"), "list", "patch", "update", "watch"),
                AddonParts.rule("", List.of("services/status"), "list", "patch", "update", "watch"),
                AddonParts.rule("", List.of("serviceaccounts"), "create"),
                AddonParts.rule("", List.of("endpoints"), "create", "get", "list", "watch", "update"));
    }

    static Deployment deployment(AddonInputs inputs) {
        return new DeploymentBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.CLOUD_CONTROLLER_MANAGER))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.CLOUD_CONTROLLER_MANAGER))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.CLOUD_CONTROLLER_MANAGER))
                .withAnnotations(credentialsAnnotations(inputs))
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .withServiceAccountName(Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT)
                .withNodeSelector(AddonParts.LINUX_NODES)
                // The host network and the node's resolver: it must run before any CNI or DNS works on a new node.
                .withHostNetwork(true)
                .withDnsPolicy("Default")
                .withTolerations(tolerations())
                .addNewContainer()
                .withName(Names.CLOUD_CONTROLLER_MANAGER)
                .withImage(inputs.image(Component.CLOUD_CONTROLLER))
                .withArgs("--cloud-provider=exoscale", "--leader-elect=true", "--allow-untagged-cloud")
                .withEnv(
                        // Required: the CCM works in the one zone its cluster's instances are in.
                        new EnvVarBuilder()
                                .withName("EXOSCALE_ZONE")
                                .withValue(inputs.cloud().zone())
                                .build(),
                        credential("EXOSCALE_API_KEY", "api-key", false),
                        credential("EXOSCALE_API_SECRET", "api-secret", false),
                        credential("EXOSCALE_API_ENDPOINT", "api-endpoint", true))
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static EnvVar credential(String variable, String key, boolean optional) {
        return new EnvVarBuilder()
                .withName(variable)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(Names.EXOSCALE_CREDENTIALS_SECRET)
                .withKey(key)
                .withOptional(optional ? Boolean.TRUE : null)
                .endSecretKeyRef()
                .endValueFrom()
                .build();
    }
}
