package dev.operator.sks.join;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.catalog.KubernetesVersion;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything the user-data of one instance pool depends on.
 *
 * @param clusterName       the SKSCluster's name
 * @param apiServerHostPort where machines reach the API server, {@code host:port} (kubeadm's apiServerEndpoint)
 * @param caCertificatePem  the cluster CA (public certificate only)
 * @param token             the join token; {@link #toString()} shows its id only
 * @param kubernetesVersion the cluster's patch version: chooses the kubeadm config API and the packages installed
 * @param nodepoolId        the Nodepool's stable id, a label on every node
 * @param labels            the Nodepool's node labels
 * @param taints            the Nodepool's node taints
 * @param clusterDns        the cluster DNS Service IP (the service CIDR's tenth address)
 * @param clusterDomain     the cluster's DNS domain
 * @param imageBakedIn      the version catalog says the pool's image carries containerd, kubelet and kubeadm of the
 *                          cluster's minor, so nothing is installed; otherwise the machine installs what it lacks
 */
public record JoinParameters(
        String clusterName,
        String apiServerHostPort,
        String caCertificatePem,
        BootstrapToken token,
        KubernetesVersion kubernetesVersion,
        String nodepoolId,
        Map<String, String> labels,
        List<NodepoolTaint> taints,
        String clusterDns,
        String clusterDomain,
        boolean imageBakedIn) {

    /** For an image the catalog says nothing about: the machine checks what it has and installs what it lacks. */
    public JoinParameters(
            String clusterName,
            String apiServerHostPort,
            String caCertificatePem,
            BootstrapToken token,
            KubernetesVersion kubernetesVersion,
            String nodepoolId,
            Map<String, String> labels,
            List<NodepoolTaint> taints,
            String clusterDns,
            String clusterDomain) {
        this(
                clusterName,
                apiServerHostPort,
                caCertificatePem,
                token,
                kubernetesVersion,
                nodepoolId,
                labels,
                taints,
                clusterDns,
                clusterDomain,
                false);
    }

    public JoinParameters {
        requireText(clusterName, "clusterName");
        requireText(apiServerHostPort, "apiServerHostPort");
        requireText(caCertificatePem, "caCertificatePem");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kubernetesVersion, "kubernetesVersion");
        if (!kubernetesVersion.isPatch()) {
            // The machine installs exactly this patch.
            throw new IllegalArgumentException("kubernetesVersion must be a patch version, not " + kubernetesVersion);
        }
        requireText(nodepoolId, "nodepoolId");
        requireText(clusterDns, "clusterDns");
        requireText(clusterDomain, "clusterDomain");
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        taints = taints == null ? List.of() : List.copyOf(taints);
    }

    @Override
    public String toString() {
        return "JoinParameters[cluster=" + clusterName + ", apiServer=" + apiServerHostPort + ", token=" + token
                + ", version=" + kubernetesVersion + ", nodepoolId=" + nodepoolId + ", labels=" + labels
                + ", taints=" + taints.stream().map(UserDataRenderer::taint).collect(Collectors.joining(",", "[", "]"))
                + ", clusterDns=" + clusterDns + ", clusterDomain=" + clusterDomain + ", imageBakedIn=" + imageBakedIn
                + "]";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
