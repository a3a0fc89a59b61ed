package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.List;

/**
 * The Exoscale cloud controller manager (addon {@code cloud-controller}): initializes nodes from their Exoscale
 * instances (addresses, zone, instance type), gives LoadBalancer Services Exoscale network load balancers, and
 * approves kubelets' serving-certificate requests. The API servers run with {@code --cloud-provider=external}, so
 * new nodes carry the {@code node.cloudprovider.kubernetes.io/uninitialized} taint until it ran; it tolerates that
 * taint, or it could never start.
 *
 * <p>Its Exoscale API key comes from the Secret {@code kube-system/exoscale-credentials} (keys {@code api-key},
 * {@code api-secret}, {@code api-endpoint}) that the user creates in the tenant cluster: the operator never copies
 * cloud credentials into a cluster. Until it exists the pod waits in CreateContainerConfigError.
 */
public final class CloudController {
    public static final String ADDON = Names.CLOUD_CONTROLLER_MANAGER;
    static final String CLUSTER_ROLE = "system:cloud-controller-manager";
    static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

    private CloudController() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                clusterRole(),
                AddonParts.clusterRoleBinding(
                        ADDON, CLUSTER_ROLE, CLUSTER_ROLE, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                deployment(inputs));
    }

    /** The rights of the upstream manifest. */
    static ClusterRole clusterRole() {
        return AddonParts.clusterRole(
                ADDON,
                CLUSTER_ROLE,
                AddonParts.rule("coordination.k8s.io", List.of("leases"), "get", "create", "update"),
                AddonParts.rule("", List.of("events"), "create", "patch", "update"),
                AddonParts.rule("", List.of("nodes"), "*"),
                AddonParts.rule("", List.of("configmaps"), "get", "list", "watch"),
                AddonParts.rule("", List.of("nodes/status"), "patch"),
                AddonParts.rule("", List.of("services"), "list", "patch", "update", "watch"),
                AddonParts.rule("", List.of("services/status"), "list", "patch", "update", "watch"),
                AddonParts.rule("", List.of("serviceaccounts"), "create"),
                AddonParts.rule("certificates.k8s.io", List.of("certificatesigningrequests"), "list", "watch"),
                AddonParts.rule("certificates.k8s.io", List.of("certificatesigningrequests/approval"), "update"),
                new PolicyRuleBuilder()
                        .withApiGroups("certificates.k8s.io")
                        .withResources("signers")
                        .withResourceNames("kubernetes.io/kubelet-serving")
                        .withVerbs("approve")
                        .build(),
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
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .withServiceAccountName(Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT)
                .withNodeSelector(AddonParts.LINUX_NODES)
                // The host network and the node's resolver: it must run before any CNI or DNS works on a new node.
                .withHostNetwork(true)
                .withDnsPolicy("Default")
                .withTolerations(
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
                                .build())
                .addNewContainer()
                .withName(Names.CLOUD_CONTROLLER_MANAGER)
                .withImage(inputs.image(Component.CLOUD_CONTROLLER))
                .withArgs("--cloud-provider=exoscale", "--leader-elect=true", "--allow-untagged-cloud")
                .withEnv(
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
