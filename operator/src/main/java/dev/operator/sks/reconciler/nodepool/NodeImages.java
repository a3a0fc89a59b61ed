package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.NodeImage;
import dev.operator.sks.catalog.VersionCatalog;
import java.util.Optional;

/**
 * Which image a pool's machines boot, and whether it carries Kubernetes already: pure knowledge, no client.
 *
 * <p>The Nodepool's own {@code spec.template} wins; else the operator's flag for its provider; else the version
 * catalog's image for the cluster's minor, so a cluster's new machines follow its upgrades. The simulated provider
 * boots nothing and gets none but what the Nodepool names.
 */
public final class NodeImages {
    private NodeImages() {}

    /**
     * The image the InstancePool asks for; empty when nothing names one (the simulated provider, or a version the
     * catalog does not have), leaving the provider's own default.
     *
     * @param provider  the operator's compute provider ({@code exoscale}, {@code kubevirt}, {@code simulated})
     * @param nodepool  the Nodepool's {@code spec.template}, may be null
     * @param override  the operator's {@code --exoscale-template} / {@code --kubevirt-image}, if set
     * @param version   the cluster's version (running, else asked for)
     */
    public static Optional<String> template(
            String provider,
            String nodepool,
            Optional<String> override,
            VersionCatalog catalog,
            Optional<KubernetesVersion> version) {
        if (nodepool != null && !nodepool.isBlank()) {
            return Optional.of(nodepool.trim());
        }
        if (override.isPresent()) {
            return override;
        }
        return version.flatMap(v -> catalog.nodeImage(provider, v)).map(NodeImage::image);
    }

    /**
     * Whether {@code template} is the catalog's image for the minor and the catalog says it has containerd, kubelet
     * and kubeadm baked in. Any other image may or may not: the machine checks, and installs what it lacks.
     */
    public static boolean bakedIn(
            String provider, String template, VersionCatalog catalog, Optional<KubernetesVersion> version) {
        return template != null
                && version.flatMap(v -> catalog.nodeImage(provider, v))
                        .filter(NodeImage::bakedIn)
                        .filter(image -> image.image().equals(template))
                        .isPresent();
    }
}
