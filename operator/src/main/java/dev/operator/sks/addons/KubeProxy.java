package dev.operator.sks.addons;

import static dev.operator.sks.addons.AddonParts.SERVICE_ACCOUNT_DIR;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.join.ConfigYaml;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-proxy on every node, as kubeadm installs it: a DaemonSet in the host network, its configuration in a
 * ConfigMap, and a kubeconfig pointing at the cluster's public endpoint with the pod's service-account token (the
 * in-cluster {@code kubernetes} Service only works once kube-proxy runs).
 */
public final class KubeProxy {
    public static final String ADDON = Names.KUBE_PROXY;
    static final String CONFIG_KEY = "config.conf";
    static final String KUBECONFIG_KEY = "kubeconfig.conf";
    static final String CONFIG_DIR = "/var/lib/kube-proxy";
    /** kubeadm's binding: kube-proxy's service account gets the built-in node-proxier rights. */
    static final String NODE_PROXIER_BINDING = "kubeadm:node-proxier";

    private KubeProxy() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        ConfigMap config = configMap(inputs);
        return List.of(
                AddonParts.serviceAccount(ADDON, Names.KUBE_PROXY),
                AddonParts.clusterRoleBinding(ADDON, NODE_PROXIER_BINDING, "system:node-proxier", Names.KUBE_PROXY),
                config,
                daemonSet(inputs, AddonParts.digest(config.getData())));
    }

    static ConfigMap configMap(AddonInputs inputs) {
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("apiVersion", "kubeproxy.config.k8s.io/v1alpha1");
        configuration.put("kind", "KubeProxyConfiguration");
        configuration.put("bindAddress", "0.0.0.0");
        configuration.put("clientConnection", Map.of("kubeconfig", CONFIG_DIR + "/" + KUBECONFIG_KEY));
        configuration.put("clusterCIDR", inputs.network().podCidr());
        configuration.put("mode", "iptables");
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CONFIG_KEY, ConfigYaml.write(configuration));
        data.put(KUBECONFIG_KEY, kubeconfig(inputs.serverUrl()));
        return new ConfigMapBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.KUBE_PROXY))
                .withData(data)
                .build();
    }

    static String kubeconfig(String serverUrl) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("certificate-authority", SERVICE_ACCOUNT_DIR + "/ca.crt");
        cluster.put("server", serverUrl);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("cluster", "default");
        context.put("namespace", "default");
        context.put("user", "default");
        Map<String, Object> kubeconfig = new LinkedHashMap<>();
        kubeconfig.put("apiVersion", "v1");
        kubeconfig.put("kind", "Config");
        kubeconfig.put("clusters", List.of(named("cluster", cluster)));
        kubeconfig.put("contexts", List.of(named("context", context)));
        kubeconfig.put("current-context", "default");
        kubeconfig.put("users", List.of(named("user", Map.of("tokenFile", SERVICE_ACCOUNT_DIR + "/token"))));
        return ConfigYaml.write(kubeconfig);
    }

    /** {@code {name: default, <key>: value}} in that order: YAML text must not depend on a map's hashing. */
    private static Map<String, Object> named(String key, Object value) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", "default");
        entry.put(key, value);
        return entry;
    }

    static DaemonSet daemonSet(AddonInputs inputs, String configDigest) {
        return new DaemonSetBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.KUBE_PROXY))
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.KUBE_PROXY))
                .endSelector()
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.KUBE_PROXY))
                .withAnnotations(Map.of(Labels.CONFIG_HASH_ANNOTATION, configDigest))
                .endMetadata()
                .withNewSpec()
                .withPriorityClassName(AddonParts.NODE_CRITICAL)
                .withHostNetwork(true)
                .withServiceAccountName(Names.KUBE_PROXY)
                .withNodeSelector(AddonParts.LINUX_NODES)
                .withTolerations(AddonParts.tolerateEverything())
                .addNewContainer()
                .withName(Names.KUBE_PROXY)
                .withImage(inputs.image(Component.KUBE_PROXY))
                .withCommand(
                        "/usr/local/bin/kube-proxy",
                        "--config=" + CONFIG_DIR + "/" + CONFIG_KEY,
                        "--hostname-override=$(NODE_NAME)")
                .addNewEnv()
                .withName("NODE_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                // iptables rules need the host's network namespace and kernel modules.
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .withVolumeMounts(
                        new VolumeMountBuilder()
                                .withName("kube-proxy")
                                .withMountPath(CONFIG_DIR)
                                .withReadOnly(true)
                                .build(),
                        new VolumeMountBuilder()
                                .withName("xtables-lock")
                                .withMountPath("/run/xtables.lock")
                                .build(),
                        new VolumeMountBuilder()
                                .withName("lib-modules")
                                .withMountPath("/lib/modules")
                                .withReadOnly(true)
                                .build())
                .endContainer()
                .withVolumes(
                        new VolumeBuilder()
                                .withName("kube-proxy")
                                .withNewConfigMap()
                                .withName(Names.KUBE_PROXY)
                                .endConfigMap()
                                .build(),
                        // Shared with every other iptables user on the node, so their updates do not interleave.
                        new VolumeBuilder()
                                .withName("xtables-lock")
                                .withNewHostPath()
                                .withPath("/run/xtables.lock")
                                .withType("FileOrCreate")
                                .endHostPath()
                                .build(),
                        new VolumeBuilder()
                                .withName("lib-modules")
                                .withNewHostPath()
                                .withPath("/lib/modules")
                                .endHostPath()
                                .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
