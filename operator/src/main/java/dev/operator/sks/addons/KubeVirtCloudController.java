package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KubeVirt cloud controller manager (upstream {@code kubevirt/cloud-provider-kubevirt}), the {@code cloud-controller}
 * addon on the KubeVirt provider. It runs in the tenant and reaches the management ("infrastructure") cluster with the
 * kubeconfig in {@code kube-system/kubevirt-infra-kubeconfig}, a copy of the one the operator made for this cluster
 * alone (a ServiceAccount token allowed only Services and VirtualMachineInstances in the cluster's namespace). It
 * initializes each Node from the VirtualMachineInstance of its name (addresses, provider ID) and, for each tenant
 * LoadBalancer Service, keeps a Service in the cluster's namespace that selects the virt-launcher pods of the cluster's
 * workers ({@code cluster.x-k8s.io/cluster-name}, {@code cluster.x-k8s.io/role: worker}).
 *
 * <p>It reads that kubeconfig once at start, so its pod template carries the credentials' revision: a renewed token
 * rolls it.
 */
final class KubeVirtCloudController {
    static final String ADDON = Names.KUBEVIRT_CLOUD_CONTROLLER_MANAGER;
    static final String CLUSTER_ROLE = "system:kubevirt-cloud-controller-manager";
    static final String CLOUD_CONFIG_KEY = "cloud-config";
    static final String CLOUD_CONFIG_DIR = "/etc/cloud";
    static final String INFRA_KUBECONFIG_DIR = "/etc/kubernetes/infra";

    private KubeVirtCloudController() {}

    static List<HasMetadata> objects(AddonInputs inputs) {
        ConfigMap cloudConfig = cloudConfig(inputs);
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                clusterRole(),
                AddonParts.clusterRoleBinding(
                        ADDON, CLUSTER_ROLE, CLUSTER_ROLE, Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT),
                cloudConfig,
                deployment(inputs, AddonParts.digest(cloudConfig.getData())));
    }

    /** The tenant's rights of any cloud controller manager; KubeVirt's approves no certificates. */
    static ClusterRole clusterRole() {
        return AddonParts.clusterRole(
                ADDON, CLUSTER_ROLE, CloudController.commonRules().toArray(PolicyRule[]::new));
    }

    /**
     * The cloud-config: the infrastructure kubeconfig's path, the namespace the cluster's machines are in, load
     * balancers on, and node metadata from VirtualMachineInstances without zone and region (the VMs of one cluster
     * share the management cluster's, which says nothing about the tenant's failure domains).
     */
    static String cloudConfigYaml(AddonInputs inputs) {
        return "kubeconfig: " + INFRA_KUBECONFIG_DIR + "/" + Names.INFRA_KUBECONFIG_KEY + "\n"
                + "namespace: " + inputs.cloud().infraNamespace() + "\n"
                + "loadBalancer:\n"
                + "  enabled: true\n"
                + "instancesV2:\n"
                + "  enabled: true\n"
                + "  zoneAndRegionEnabled: false\n";
    }

    static ConfigMap cloudConfig(AddonInputs inputs) {
        return new ConfigMapBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.KUBEVIRT_CLOUD_CONFIG))
                .withData(Map.of(CLOUD_CONFIG_KEY, cloudConfigYaml(inputs)))
                .build();
    }

    static Deployment deployment(AddonInputs inputs, String configDigest) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.CONFIG_HASH_ANNOTATION, configDigest);
        annotations.putAll(CloudController.credentialsAnnotations(inputs));
        return new DeploymentBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, ADDON))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(ADDON))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, ADDON))
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .withServiceAccountName(Names.CLOUD_CONTROLLER_SERVICE_ACCOUNT)
                .withNodeSelector(AddonParts.LINUX_NODES)
                // The host network and the node's resolver: it must run before any CNI or DNS works on a new node.
                .withHostNetwork(true)
                .withDnsPolicy("Default")
                .withTolerations(CloudController.tolerations())
                .addNewContainer()
                .withName(ADDON)
                .withImage(inputs.image(Component.KUBEVIRT_CLOUD_CONTROLLER))
                .withCommand("/bin/kubevirt-cloud-controller-manager")
                .withArgs(
                        "--cloud-provider=kubevirt",
                        "--cloud-config=" + CLOUD_CONFIG_DIR + "/" + CLOUD_CONFIG_KEY,
                        "--cluster-name=" + inputs.cloud().clusterName(),
                        "--leader-elect=true")
                .addNewVolumeMount()
                .withName("cloud-config")
                .withMountPath(CLOUD_CONFIG_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("infra-kubeconfig")
                .withMountPath(INFRA_KUBECONFIG_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .endContainer()
                .addNewVolume()
                .withName("cloud-config")
                .withNewConfigMap()
                .withName(Names.KUBEVIRT_CLOUD_CONFIG)
                .endConfigMap()
                .endVolume()
                .addNewVolume()
                .withName("infra-kubeconfig")
                .withNewSecret()
                .withSecretName(Names.KUBEVIRT_INFRA_KUBECONFIG_SECRET)
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
