package dev.operator.sks.join;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.support.Digests;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cloud-init user-data a new machine of a pool boots with: it writes the cluster CA, a kubelet configuration
 * patch (cluster DNS and domain), a kubeadm JoinConfiguration and the {@link NodeSetupScript}, then runs that script,
 * which prepares the host, installs containerd, kubelet and kubeadm if the image lacks them, and runs
 * {@code kubeadm join} once.
 *
 * <p>Discovery pins the cluster CA by the SHA-256 of its public key, so a machine trusts the cluster-info it fetches
 * only if that CA signed it; the bootstrap token both proves cluster-info genuine (its JWS signature) and
 * authenticates the kubelet's first certificate request.
 *
 * <p>The output holds the token: store it in a Secret, never log it. Same parameters, same bytes.
 */
public final class UserDataRenderer {
    public static final String CA_CERTIFICATE_PATH = "/etc/kubernetes/pki/ca.crt";
    public static final String JOIN_CONFIGURATION_PATH = "/etc/kubernetes/join.yaml";
    public static final String PATCHES_DIRECTORY = "/etc/kubernetes/patches";
    /** kubeadm's patch file naming: target {@code kubeletconfiguration}, JSON merge patch (not a Kubernetes type). */
    public static final String KUBELET_PATCH_PATH = PATCHES_DIRECTORY + "/kubeletconfiguration+merge.yaml";
    /** kubeadm's kubeadm.k8s.io/v1beta4 is the default from 1.31 (kubeletExtraArgs became a list of name/value). */
    static final KubernetesVersion FIRST_V1BETA4 = KubernetesVersion.of("1.31");
    /**
     * kubeadm join refuses to start when the CA file exists (it means to write it itself from the discovered
     * cluster-info). The file written here is the same CA, pinned by hash, so that check is expected to fail.
     */
    static final String CA_FILE_PREFLIGHT_CHECK = "FileAvailable-" + CA_CERTIFICATE_PATH.replace('/', '-');

    private UserDataRenderer() {}

    public static String render(JoinParameters parameters) {
        Map<String, Object> cloudConfig = new LinkedHashMap<>();
        cloudConfig.put(
                "write_files",
                List.of(
                        file(CA_CERTIFICATE_PATH, "0644", withNewline(parameters.caCertificatePem())),
                        file(KUBELET_PATCH_PATH, "0644", ConfigYaml.write(kubeletConfigurationPatch(parameters))),
                        // 0600: the file holds the token.
                        file(JOIN_CONFIGURATION_PATH, "0600", ConfigYaml.write(joinConfiguration(parameters))),
                        file(NodeSetupScript.PATH, "0700", NodeSetupScript.render(nodeSetup(parameters)))));
        // runcmd runs after write_files, once per instance; the script itself is safe to run again.
        cloudConfig.put("runcmd", List.of(List.of(NodeSetupScript.PATH)));
        return "#cloud-config\n" + ConfigYaml.write(cloudConfig);
    }

    /** What the machine's setup script depends on: the cluster's patch and what the image carries. */
    public static NodeSetupScript.Setup nodeSetup(JoinParameters parameters) {
        return new NodeSetupScript.Setup(parameters.kubernetesVersion(), parameters.imageBakedIn());
    }

    /** The kubeadm config API the machine's kubeadm (of the cluster's version) reads. */
    public static String kubeadmApiVersion(KubernetesVersion version) {
        return version.compareTo(FIRST_V1BETA4) >= 0 ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3";
    }

    static Map<String, Object> joinConfiguration(JoinParameters parameters) {
        String token = parameters.token().value();
        Map<String, Object> bootstrapToken = new LinkedHashMap<>();
        bootstrapToken.put("apiServerEndpoint", parameters.apiServerHostPort());
        bootstrapToken.put("token", token);
        bootstrapToken.put("caCertHashes", List.of(caCertificateHash(parameters.caCertificatePem())));
        Map<String, Object> discovery = new LinkedHashMap<>();
        discovery.put("bootstrapToken", bootstrapToken);
        discovery.put("tlsBootstrapToken", token);

        Map<String, Object> nodeRegistration = new LinkedHashMap<>();
        // No name: kubeadm then uses the machine's hostname, which the provider sets to the instance name.
        nodeRegistration.put("kubeletExtraArgs", kubeletExtraArgs(parameters));
        nodeRegistration.put("ignorePreflightErrors", List.of(CA_FILE_PREFLIGHT_CHECK));

        Map<String, Object> join = new LinkedHashMap<>();
        join.put("apiVersion", kubeadmApiVersion(parameters.kubernetesVersion()));
        join.put("kind", "JoinConfiguration");
        join.put("caCertPath", CA_CERTIFICATE_PATH);
        join.put("discovery", discovery);
        join.put("nodeRegistration", nodeRegistration);
        join.put("patches", Map.of("directory", PATCHES_DIRECTORY));
        return join;
    }

    /** Flags of the kubelet, by name in alphabetical order. */
    static Map<String, String> kubeletFlags(JoinParameters parameters) {
        Map<String, String> flags = new TreeMap<>();
        // The cloud-controller-manager (or the simulated provider) sets the node's addresses and provider ID.
        flags.put("cloud-provider", "external");
        flags.put("node-labels", nodeLabels(parameters.nodepoolId(), parameters.labels()));
        if (!parameters.taints().isEmpty()) {
            flags.put("register-with-taints", registerWithTaints(parameters.taints()));
        }
        return flags;
    }

    private static Object kubeletExtraArgs(JoinParameters parameters) {
        Map<String, String> flags = kubeletFlags(parameters);
        if (kubeadmApiVersion(parameters.kubernetesVersion()).endsWith("v1beta3")) {
            return new LinkedHashMap<>(flags);
        }
        List<Map<String, String>> args = new ArrayList<>();
        flags.forEach((name, value) -> {
            Map<String, String> arg = new LinkedHashMap<>();
            arg.put("name", name);
            arg.put("value", value);
            args.add(arg);
        });
        return args;
    }

    /**
     * Cluster DNS and domain as a kubeadm patch of the KubeletConfiguration: each node gets them from its own user-data,
     * whatever the tenant's kubelet-config ConfigMap says. And a serving certificate from the cluster CA
     * ({@code serverTLSBootstrap}, approved by the operator: {@link KubeletServingRequests}), so metrics-server and the
     * API server can verify the kubelet.
     */
    static Map<String, Object> kubeletConfigurationPatch(JoinParameters parameters) {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("apiVersion", "kubelet.config.k8s.io/v1beta1");
        patch.put("kind", "KubeletConfiguration");
        patch.put("clusterDNS", List.of(parameters.clusterDns()));
        patch.put("clusterDomain", parameters.clusterDomain());
        patch.put("serverTLSBootstrap", true);
        return patch;
    }

    /**
     * {@code --node-labels}: the pool's labels plus {@link Labels#NODEPOOL_ID}, sorted by key, comma-joined. The id is
     * the operator's: a pool label of the same key does not replace it.
     */
    public static String nodeLabels(String nodepoolId, Map<String, String> labels) {
        Map<String, String> all = new TreeMap<>(labels == null ? Map.of() : labels);
        all.put(Labels.NODEPOOL_ID, nodepoolId);
        return all.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() == null ? "" : e.getValue()))
                .collect(Collectors.joining(","));
    }

    /** {@code --register-with-taints}: {@code key=value:Effect} (or {@code key:Effect}), in the pool's order. */
    public static String registerWithTaints(List<NodepoolTaint> taints) {
        return taints.stream().map(UserDataRenderer::taint).collect(Collectors.joining(","));
    }

    static String taint(NodepoolTaint taint) {
        String effect = taint.effect == null ? "" : taint.effect.wireName();
        return taint.value == null || taint.value.isEmpty()
                ? taint.key + ":" + effect
                : taint.key + "=" + taint.value + ":" + effect;
    }

    /**
     * What kubeadm's {@code caCertHashes} pins: {@code sha256:} and the hex SHA-256 of the CA certificate's DER
     * SubjectPublicKeyInfo (the first certificate, if the PEM is a bundle).
     */
    public static String caCertificateHash(String caCertificatePem) {
        X509Certificate ca = Pem.parseCertificate(caCertificatePem);
        return "sha256:"
                + HexFormat.of().formatHex(Digests.sha256(ca.getPublicKey().getEncoded()));
    }

    /** A SHA-256 of the user-data, to tell whether it changed without keeping it around. */
    public static String digest(String userData) {
        return Digests.sha256Hex(userData);
    }

    private static Map<String, Object> file(String path, String permissions, String content) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", path);
        file.put("owner", "root:root");
        file.put("permissions", permissions);
        file.put("content", content);
        return file;
    }

    private static String withNewline(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }
}
