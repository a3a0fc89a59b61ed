package dev.operator.sks.addons;

import dev.operator.sks.catalog.Component;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calico ({@code cni: calico}, the default), as Calico documents its manifest install for the Kubernetes datastore
 * (calico.yaml): its CRDs ({@link CalicoCrds}), the calico-node, calico-cni-plugin and calico-kube-controllers
 * service accounts with their ClusterRoles, the {@code calico-config} ConfigMap, the calico-node DaemonSet with its
 * install-cni init container, the calico-kube-controllers Deployment, and the cluster's pod network as the default
 * IPPool.
 *
 * <p>Networking is VXLAN, always, never IP-in-IP or BGP: nodes of a managed cluster share no router to peer with, and
 * the networks they run on (Exoscale's, a KubeVirt pod network) pass UDP between nodes but not IP protocol 4. So the
 * backend is {@code vxlan} (no BIRD), the pool {@code vxlanMode: Always}, {@code ipipMode: Never}, and pods reach the
 * outside through the node's address ({@code natOutgoing}).
 *
 * <p>Differences from calico.yaml, each for the hosted control plane or a fresh install: Calico's components reach the
 * API server at the cluster's endpoint, through the {@code kubernetes-services-endpoint} ConfigMap Calico reads for
 * that purpose, as kube-proxy does (the in-cluster {@code kubernetes} Service needs kube-proxy first, and with the
 * NodePort exposure points at a pod IP of the management cluster); the MTU is set for the provider ({@link #mtu})
 * instead of auto-detected; the {@code upgrade-ipam} init container (a migration from host-local IPAM, which no
 * cluster here ever used) and the {@code mount-bpffs} one (for the eBPF dataplane, which is not enabled) are left
 * out; and no PodDisruptionBudget for kube-controllers, which runs one replica anyway.
 *
 * <p>Images: the catalog names calico/node for each Kubernetes minor; the CNI plugin and kube-controllers images are
 * its siblings of the same release (same registry, same tag), as Calico releases them together. A new minor with a
 * new Calico release rolls them all, as every addon follows the running version.
 */
public final class Calico {
    public static final String ADDON = Names.CALICO;
    static final String BACKEND = "vxlan";
    static final String CNI_CONF_NAME = "10-calico.conflist";
    /** Outer IPv4 (20) + UDP (8) + VXLAN (8) headers + the inner Ethernet header (14) that VXLAN wraps. */
    static final int VXLAN_OVERHEAD = 50;
    /** Calico's default: a node claims blocks of 64 addresses of the pool as it needs them. */
    static final int BLOCK_SIZE = 26;

    static final String BACKEND_KEY = "calico_backend";
    static final String MTU_KEY = "veth_mtu";
    static final String TYPHA_KEY = "typha_service_name";
    static final String CNI_NETWORK_CONFIG_KEY = "cni_network_config";
    static final String SERVICE_HOST_KEY = "KUBERNETES_SERVICE_HOST";
    static final String SERVICE_PORT_KEY = "KUBERNETES_SERVICE_PORT";

    private Calico() {}

    public static List<HasMetadata> objects(AddonInputs inputs) {
        ConfigMap config = config(inputs);
        ConfigMap endpoint = servicesEndpoint(inputs);
        Map<String, String> files = new LinkedHashMap<>(config.getData());
        endpoint.getData()
                .forEach((key, value) -> files.put(Names.KUBERNETES_SERVICES_ENDPOINT_CONFIG_MAP + "/" + key, value));
        List<HasMetadata> objects = new ArrayList<>(CalicoCrds.all());
        objects.add(AddonParts.serviceAccount(ADDON, Names.CALICO_KUBE_CONTROLLERS));
        objects.add(AddonParts.serviceAccount(ADDON, Names.CALICO_NODE));
        objects.add(AddonParts.serviceAccount(ADDON, Names.CALICO_CNI_PLUGIN));
        objects.add(config);
        objects.add(endpoint);
        objects.add(kubeControllersRole());
        objects.add(nodeRole());
        objects.add(cniPluginRole());
        objects.add(tierGetterRole());
        objects.add(AddonParts.clusterRoleBinding(
                ADDON, Names.CALICO_KUBE_CONTROLLERS, Names.CALICO_KUBE_CONTROLLERS, Names.CALICO_KUBE_CONTROLLERS));
        objects.add(AddonParts.clusterRoleBinding(ADDON, Names.CALICO_NODE, Names.CALICO_NODE, Names.CALICO_NODE));
        objects.add(AddonParts.clusterRoleBinding(
                ADDON, Names.CALICO_CNI_PLUGIN, Names.CALICO_CNI_PLUGIN, Names.CALICO_CNI_PLUGIN));
        objects.add(tierGetterBinding());
        objects.add(ipPool(inputs));
        objects.add(nodeDaemonSet(inputs, AddonParts.digest(files)));
        objects.add(kubeControllers(inputs));
        return objects;
    }

    /**
     * The MTU of pod interfaces and the VXLAN device on {@code provider}'s machines: the MTU of the network between
     * nodes, less {@link #VXLAN_OVERHEAD}. Too large and packets near the limit vanish (the classic symptom: TLS
     * handshakes hang while pings pass); too small only costs a little throughput, so when unsure, smaller.
     *
     * <ul>
     *   <li>{@code exoscale}: Exoscale instances' interfaces, public and private networks alike, run at 1500 → 1450.
     *   <li>{@code kubevirt}: a VM's interface inherits the pod network of the management cluster, itself usually an
     *       overlay: 1450 under Calico or Flannel VXLAN, 1400 under OVN-Kubernetes' Geneve. 1400 − 50 → 1350 fits
     *       under any of them.
     *   <li>{@code simulated}: no packet ever flows; rendered as for Exoscale, which it stands in for.
     * </ul>
     *
     * @throws IllegalArgumentException for a provider the operator does not know (its configuration refuses one)
     */
    public static int mtu(String provider) {
        return switch (provider) {
            case "exoscale", "simulated" -> 1500 - VXLAN_OVERHEAD;
            case "kubevirt" -> 1400 - VXLAN_OVERHEAD;
            default -> throw new IllegalArgumentException("no MTU known for compute provider '" + provider + "'");
        };
    }

    /**
     * The image {@code name} of the Calico release whose calico/node image is {@code nodeImage}: same registry and
     * tag, last path segment replaced ({@code quay.io/calico/node:v3.30.2} → {@code quay.io/calico/cni:v3.30.2}).
     */
    static String sibling(String nodeImage, String name) {
        int slash = nodeImage.lastIndexOf('/');
        int tag = nodeImage.indexOf(':', slash + 1);
        if (slash < 0 || tag < 0) {
            throw new IllegalArgumentException(
                    "the catalog's calico image " + nodeImage + " is not REGISTRY/PATH/node:TAG");
        }
        return nodeImage.substring(0, slash + 1) + name + nodeImage.substring(tag);
    }

    static String nodeImage(AddonInputs inputs) {
        return inputs.image(Component.CALICO);
    }

    static String cniImage(AddonInputs inputs) {
        return sibling(nodeImage(inputs), "cni");
    }

    static String kubeControllersImage(AddonInputs inputs) {
        return sibling(nodeImage(inputs), "kube-controllers");
    }

    /** calico-config: no Typha (clusters here are far below the 50 nodes it is for), the backend, the MTU, the CNI. */
    static ConfigMap config(AddonInputs inputs) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TYPHA_KEY, "none");
        data.put(BACKEND_KEY, BACKEND);
        data.put(MTU_KEY, String.valueOf(mtu(inputs.cloud().provider())));
        data.put(CNI_NETWORK_CONFIG_KEY, cniNetworkConfig());
        return new ConfigMapBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.CALICO_CONFIG_MAP))
                .withData(data)
                .build();
    }

    /**
     * The CNI network list install-cni writes to each node, with Calico IPAM. The {@code __NAME__} placeholders are
     * install-cni's own: it fills in the node's name, the MTU and the kubeconfig it writes for the plugin.
     */
    static String cniNetworkConfig() {
        return """
        {
          "name": "k8s-pod-network",
          "cniVersion": "0.3.1",
          "plugins": [
            {
              "type": "calico",
              "log_level": "info",
              "log_file_path": "/var/log/calico/cni/cni.log",
              "datastore_type": "kubernetes",
              "nodename": "__KUBERNETES_NODE_NAME__",
              "mtu": __CNI_MTU__,
              "ipam": {"type": "calico-ipam"},
              "policy": {"type": "k8s"},
              "kubernetes": {"kubeconfig": "__KUBECONFIG_FILEPATH__"}
            },
            {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}},
            {"type": "bandwidth", "capabilities": {"bandwidth": true}}
          ]
        }""";
    }

    /** Where Calico's components reach the API server: the cluster's endpoint (see the class comment for why). */
    static ConfigMap servicesEndpoint(AddonInputs inputs) {
        int port = URI.create(inputs.serverUrl()).getPort();
        Map<String, String> data = new LinkedHashMap<>();
        data.put(SERVICE_HOST_KEY, inputs.serverHost());
        data.put(SERVICE_PORT_KEY, String.valueOf(port < 0 ? 443 : port));
        return new ConfigMapBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.KUBERNETES_SERVICES_ENDPOINT_CONFIG_MAP))
                .withData(data)
                .build();
    }

    /**
     * The default pool, made here rather than by calico-node from {@code CALICO_IPV4POOL_CIDR} so it exists (and is
     * repaired) before any node runs: the cluster's pod CIDR, VXLAN always, NAT to the outside.
     */
    static GenericKubernetesResource ipPool(AddonInputs inputs) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("cidr", inputs.network().podCidr());
        spec.put("blockSize", BLOCK_SIZE);
        spec.put("ipipMode", "Never");
        spec.put("vxlanMode", "Always");
        spec.put("natOutgoing", true);
        spec.put("nodeSelector", "all()");
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(CalicoCrds.GROUP + "/" + CalicoCrds.VERSION)
                .withKind("IPPool")
                .withMetadata(AddonParts.clusterScoped(ADDON, Names.CALICO_DEFAULT_IPV4_POOL))
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    private static final List<String> CALICO_READ = List.of(
            "globalfelixconfigs",
            "felixconfigurations",
            "bgppeers",
            "bgpfilters",
            "globalbgpconfigs",
            "bgpconfigurations",
            "ippools",
            "ipreservations",
            "ipamblocks",
            "globalnetworkpolicies",
            "globalnetworksets",
            "networkpolicies",
            "networksets",
            "clusterinformations",
            "hostendpoints",
            "blockaffinities",
            "caliconodestatuses",
            "tiers",
            "stagedglobalnetworkpolicies",
            "stagednetworkpolicies",
            "stagedkubernetesnetworkpolicies");

    /** calico-node's rights, as calico.yaml grants them (the union of the catalog's Calico releases). */
    static ClusterRole nodeRole() {
        return AddonParts.clusterRole(
                ADDON,
                Names.CALICO_NODE,
                // It mints the CNI plugin's tokens, for the kubeconfig install-cni writes on the node.
                named("", "serviceaccounts/token", Names.CALICO_CNI_PLUGIN, "create"),
                AddonParts.rule("", List.of("pods", "nodes", "namespaces"), "get"),
                // Service-based policy rules.
                AddonParts.rule("discovery.k8s.io", List.of("endpointslices"), "watch", "list"),
                AddonParts.rule("", List.of("endpoints", "services"), "watch", "list", "get"),
                AddonParts.rule("", List.of("configmaps"), "get"),
                // Clears NodeNetworkUnavailable; keeps some configuration in node annotations.
                AddonParts.rule("", List.of("nodes/status"), "patch", "update"),
                AddonParts.rule("networking.k8s.io", List.of("networkpolicies"), "watch", "list"),
                AddonParts.rule(
                        CalicoCrds.POLICY_GROUP,
                        List.of("adminnetworkpolicies", "baselineadminnetworkpolicies"),
                        "watch",
                        "list"),
                AddonParts.rule("", List.of("pods", "namespaces", "serviceaccounts"), "list", "watch"),
                AddonParts.rule("", List.of("pods/status"), "patch"),
                AddonParts.rule(CalicoCrds.GROUP, CALICO_READ, "get", "list", "watch"),
                // Creates the default tiers, and its configuration and cluster information, on start.
                AddonParts.rule(CalicoCrds.GROUP, List.of("tiers"), "create"),
                AddonParts.rule(
                        CalicoCrds.GROUP,
                        List.of("ippools", "felixconfigurations", "clusterinformations"),
                        "create",
                        "update"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("caliconodestatuses"), "update"),
                AddonParts.rule("", List.of("nodes"), "get", "list", "watch"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("bgpconfigurations", "bgppeers"), "create", "update"),
                // IPAM: the CNI plugin and calico-node allocate blocks and addresses.
                AddonParts.rule(
                        CalicoCrds.GROUP,
                        List.of("blockaffinities", "ipamblocks", "ipamhandles"),
                        "get",
                        "list",
                        "create",
                        "update",
                        "delete"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("ipamconfigs"), "get", "create"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("blockaffinities"), "watch"),
                AddonParts.rule("apps", List.of("daemonsets"), "get"));
    }

    /** The CNI plugin's rights: read pods and nodes, annotate pods with their addresses, allocate them. */
    static ClusterRole cniPluginRole() {
        return AddonParts.clusterRole(
                ADDON,
                Names.CALICO_CNI_PLUGIN,
                AddonParts.rule("", List.of("pods", "nodes", "namespaces"), "get"),
                AddonParts.rule("", List.of("pods/status"), "patch"),
                AddonParts.rule(
                        CalicoCrds.GROUP,
                        List.of(
                                "blockaffinities",
                                "ipamblocks",
                                "ipamhandles",
                                "clusterinformations",
                                "ippools",
                                "ipreservations",
                                "ipamconfigs"),
                        "get",
                        "list",
                        "create",
                        "update",
                        "delete"));
    }

    /** kube-controllers' rights: garbage-collect the addresses of deleted nodes and pods, keep its own config. */
    static ClusterRole kubeControllersRole() {
        return AddonParts.clusterRole(
                ADDON,
                Names.CALICO_KUBE_CONTROLLERS,
                AddonParts.rule("", List.of("nodes"), "watch", "list", "get"),
                AddonParts.rule("", List.of("pods"), "get", "list", "watch"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("ipreservations"), "list"),
                AddonParts.rule(
                        CalicoCrds.GROUP,
                        List.of("blockaffinities", "ipamblocks", "ipamhandles", "tiers"),
                        "get",
                        "list",
                        "create",
                        "update",
                        "delete",
                        "watch"),
                AddonParts.rule(CalicoCrds.GROUP, List.of("ippools"), "list", "watch"),
                AddonParts.rule(
                        CalicoCrds.GROUP, List.of("hostendpoints"), "get", "list", "create", "update", "delete"),
                AddonParts.rule(
                        CalicoCrds.GROUP, List.of("clusterinformations"), "get", "list", "create", "update", "watch"),
                AddonParts.rule(
                        CalicoCrds.GROUP,
                        List.of("kubecontrollersconfigurations"),
                        "get",
                        "list",
                        "create",
                        "update",
                        "watch"));
    }

    static final String TIER_GETTER = "calico-tier-getter";

    /** Lets the controller-manager's garbage collector read tiers of tiered policies (calico.yaml since 3.29). */
    static ClusterRole tierGetterRole() {
        return AddonParts.clusterRole(
                ADDON, TIER_GETTER, AddonParts.rule("projectcalico.org", List.of("tiers"), "get"));
    }

    static ClusterRoleBinding tierGetterBinding() {
        return new ClusterRoleBindingBuilder()
                .withMetadata(AddonParts.clusterScoped(ADDON, TIER_GETTER))
                .withNewRoleRef(AddonParts.RBAC_GROUP, "ClusterRole", TIER_GETTER)
                .addNewSubject()
                .withApiGroup(AddonParts.RBAC_GROUP)
                .withKind("User")
                .withName("system:kube-controller-manager")
                .endSubject()
                .build();
    }

    private static PolicyRule named(String apiGroup, String resource, String name, String... verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(apiGroup)
                .withResources(resource)
                .withResourceNames(name)
                .withVerbs(verbs)
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar fromConfig(String name, String key) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewConfigMapKeyRef()
                .withName(Names.CALICO_CONFIG_MAP)
                .withKey(key)
                .endConfigMapKeyRef()
                .endValueFrom()
                .build();
    }

    private static EnvVar nodeName(String name) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    /** KUBERNETES_SERVICE_HOST and _PORT: the cluster's endpoint. Not optional: without it Calico would not start. */
    private static EnvFromSource apiEndpoint() {
        return new EnvFromSourceBuilder()
                .withNewConfigMapRef()
                .withName(Names.KUBERNETES_SERVICES_ENDPOINT_CONFIG_MAP)
                .withOptional(false)
                .endConfigMapRef()
                .build();
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(name)
                .withMountPath(path)
                .withReadOnly(readOnly)
                .build();
    }

    private static Volume hostPath(String name, String path, String type) {
        return new VolumeBuilder()
                .withName(name)
                .withNewHostPath()
                .withPath(path)
                .withType(type)
                .endHostPath()
                .build();
    }

    static List<EnvVar> nodeEnv(AddonInputs inputs) {
        return List.of(
                env("DATASTORE_TYPE", "kubernetes"),
                env("WAIT_FOR_DATASTORE", "true"),
                nodeName("NODENAME"),
                fromConfig("CALICO_NETWORKING_BACKEND", BACKEND_KEY),
                env("CLUSTER_TYPE", "k8s,bgp"),
                env("IP", "autodetect"),
                // The tunnel endpoint is the address the node registered (InternalIP), the one the kubelet and
                // metrics-server use; first-found could pick a container bridge or a second interface.
                env("IP_AUTODETECTION_METHOD", "kubernetes-internal-ip"),
                env("CALICO_IPV4POOL_IPIP", "Never"),
                env("CALICO_IPV4POOL_VXLAN", "Always"),
                // The pool the operator applies anyway; named here so calico-node would make the same one.
                env("CALICO_IPV4POOL_CIDR", inputs.network().podCidr()),
                env("CALICO_IPV4POOL_BLOCK_SIZE", String.valueOf(BLOCK_SIZE)),
                fromConfig("FELIX_IPINIPMTU", MTU_KEY),
                fromConfig("FELIX_VXLANMTU", MTU_KEY),
                fromConfig("FELIX_WIREGUARDMTU", MTU_KEY),
                env("CALICO_DISABLE_FILE_LOGGING", "true"),
                env("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"),
                env("FELIX_IPV6SUPPORT", "false"),
                env("FELIX_HEALTHENABLED", "true"));
    }

    /**
     * calico-node on every node, whatever its taints (without it the node has no pod network), in the host network.
     * {@code configDigest} covers calico-config and the endpoint ConfigMap, read only at start: a change rolls it.
     */
    static DaemonSet nodeDaemonSet(AddonInputs inputs, String configDigest) {
        return new DaemonSetBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.CALICO_NODE))
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.CALICO_NODE))
                .endSelector()
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(1))
                .endRollingUpdate()
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.CALICO_NODE))
                .withAnnotations(Map.of(Labels.CONFIG_HASH_ANNOTATION, configDigest))
                .endMetadata()
                .withNewSpec()
                .withNodeSelector(AddonParts.LINUX_NODES)
                .withHostNetwork(true)
                .withTolerations(AddonParts.tolerateEverything())
                .withServiceAccountName(Names.CALICO_NODE)
                .withNewSecurityContext()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                // Calico's choice: a rolling upgrade or a deletion should leave the node without a network briefly.
                .withTerminationGracePeriodSeconds(0L)
                .withPriorityClassName(AddonParts.NODE_CRITICAL)
                .addNewInitContainer()
                .withName("install-cni")
                .withImage(cniImage(inputs))
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/opt/cni/bin/install")
                .withEnvFrom(apiEndpoint())
                .withEnv(
                        env("CNI_CONF_NAME", CNI_CONF_NAME),
                        fromConfig("CNI_NETWORK_CONFIG", CNI_NETWORK_CONFIG_KEY),
                        nodeName("KUBERNETES_NODE_NAME"),
                        fromConfig("CNI_MTU", MTU_KEY),
                        // Install and exit, so calico-node starts.
                        env("SLEEP", "false"))
                .withVolumeMounts(
                        mount("cni-bin-dir", "/host/opt/cni/bin", false),
                        mount("cni-net-dir", "/host/etc/cni/net.d", false))
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .endInitContainer()
                .addNewContainer()
                .withName(Names.CALICO_NODE)
                .withImage(nodeImage(inputs))
                .withImagePullPolicy("IfNotPresent")
                .withEnvFrom(apiEndpoint())
                .withEnv(nodeEnv(inputs))
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("250m")))
                .endResources()
                .withNewLifecycle()
                .withNewPreStop()
                .withNewExec()
                .withCommand("/bin/calico-node", "-shutdown")
                .endExec()
                .endPreStop()
                .endLifecycle()
                // VXLAN has no BIRD, so only Felix is probed.
                .withNewLivenessProbe()
                .withNewExec()
                .withCommand("/bin/calico-node", "-felix-live")
                .endExec()
                .withPeriodSeconds(10)
                .withInitialDelaySeconds(10)
                .withFailureThreshold(6)
                .withTimeoutSeconds(10)
                .endLivenessProbe()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand("/bin/calico-node", "-felix-ready")
                .endExec()
                .withPeriodSeconds(10)
                .withTimeoutSeconds(10)
                .endReadinessProbe()
                .withVolumeMounts(
                        // Keeps the CNI plugin's kubeconfig current (its token is renewed).
                        mount("cni-net-dir", "/host/etc/cni/net.d", false),
                        mount("lib-modules", "/lib/modules", true),
                        mount("xtables-lock", "/run/xtables.lock", false),
                        mount("var-run-calico", "/var/run/calico", false),
                        mount("var-lib-calico", "/var/lib/calico", false),
                        mount("policysync", "/var/run/nodeagent", false),
                        mount("bpffs", "/sys/fs/bpf", false),
                        mount("cni-log-dir", "/var/log/calico/cni", true))
                .endContainer()
                .withVolumes(
                        hostPath("lib-modules", "/lib/modules", null),
                        hostPath("var-run-calico", "/var/run/calico", "DirectoryOrCreate"),
                        hostPath("var-lib-calico", "/var/lib/calico", "DirectoryOrCreate"),
                        // Shared with kube-proxy and every other iptables user on the node.
                        hostPath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
                        hostPath("bpffs", "/sys/fs/bpf", "Directory"),
                        hostPath("cni-bin-dir", "/opt/cni/bin", "DirectoryOrCreate"),
                        hostPath("cni-net-dir", "/etc/cni/net.d", null),
                        hostPath("cni-log-dir", "/var/log/calico/cni", null),
                        hostPath("policysync", "/var/run/nodeagent", "DirectoryOrCreate"))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** One replica (its controllers must not run twice), replaced rather than rolled. */
    static Deployment kubeControllers(AddonInputs inputs) {
        return new DeploymentBuilder()
                .withMetadata(AddonParts.namespaced(ADDON, Names.CALICO_KUBE_CONTROLLERS))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(AddonParts.selector(Names.CALICO_KUBE_CONTROLLERS))
                .endSelector()
                .withNewStrategy()
                .withType("Recreate")
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(AddonParts.podLabels(ADDON, Names.CALICO_KUBE_CONTROLLERS))
                .endMetadata()
                .withNewSpec()
                .withNodeSelector(AddonParts.LINUX_NODES)
                // A hosted cluster has no control-plane nodes, so calico.yaml's master tolerations have nothing to do.
                .withTolerations(AddonParts.criticalAddonsOnly())
                .withServiceAccountName(Names.CALICO_KUBE_CONTROLLERS)
                .withNewSecurityContext()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withPriorityClassName(AddonParts.CLUSTER_CRITICAL)
                .addNewContainer()
                .withName(Names.CALICO_KUBE_CONTROLLERS)
                .withImage(kubeControllersImage(inputs))
                .withImagePullPolicy("IfNotPresent")
                .withEnvFrom(apiEndpoint())
                .withEnv(env("ENABLED_CONTROLLERS", "node"), env("DATASTORE_TYPE", "kubernetes"))
                .withNewLivenessProbe()
                .withNewExec()
                .withCommand("/usr/bin/check-status", "-l")
                .endExec()
                .withPeriodSeconds(10)
                .withInitialDelaySeconds(10)
                .withFailureThreshold(6)
                .withTimeoutSeconds(10)
                .endLivenessProbe()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand("/usr/bin/check-status", "-r")
                .endExec()
                .withPeriodSeconds(10)
                .endReadinessProbe()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
