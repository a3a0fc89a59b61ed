package dev.operator.sks.tenant;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.catalog.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The oldest kubelet among a tenant's Nodes: what Kubernetes' version-skew policy bounds a control-plane upgrade by. */
public final class KubeletVersions {
    // Kubelets report v1.31.4, and distributions append to it (v1.31.4+k3s1, v1.31.4-eks-1a2b3c): the release leads.
    private static final Pattern RELEASE = Pattern.compile("^v?(\\d+\\.\\d+(?:\\.\\d+)?)");

    private KubeletVersions() {}

    /** Empty when no Node reports a readable kubelet version. */
    public static Optional<KubernetesVersion> oldest(Collection<Node> nodes) {
        return nodes.stream()
                .map(KubeletVersions::kubeletVersion)
                .flatMap(Optional::stream)
                .min(Comparator.naturalOrder());
    }

    /**
     * The oldest of the tenant's kubelets and the versions the cluster's Nodepools say their machines run (their
     * status.version, the oldest machine while old and new are mixed): a machine whose Node the tenant has not
     * listed yet, or a tenant that cannot be read, still bounds an upgrade. Only pools accepted for this very cluster
     * ({@code clusterUid}) count.
     */
    public static Optional<KubernetesVersion> oldest(
            Optional<KubernetesVersion> tenant, Collection<Nodepool> nodepools, String clusterUid) {
        return Stream.concat(
                        tenant.stream(),
                        nodepools.stream()
                                .filter(np -> np.getStatus() != null
                                        && clusterUid != null
                                        && clusterUid.equals(np.getStatus().clusterUID))
                                .map(np -> KubernetesVersion.parse(np.getStatus().version))
                                .flatMap(Optional::stream))
                .min(Comparator.naturalOrder());
    }

    static Optional<KubernetesVersion> kubeletVersion(Node node) {
        if (node.getStatus() == null || node.getStatus().getNodeInfo() == null) {
            return Optional.empty();
        }
        String reported = node.getStatus().getNodeInfo().getKubeletVersion();
        Matcher release =
                RELEASE.matcher(Objects.requireNonNullElse(reported, "").trim());
        return release.find() ? KubernetesVersion.parse(release.group(1)) : Optional.empty();
    }
}
