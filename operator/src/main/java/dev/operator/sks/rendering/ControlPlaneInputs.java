package dev.operator.sks.rendering;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.sizing.ControlPlaneSizes;
import dev.operator.sks.sizing.SizeProfile;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything the control-plane renderers read: the cluster's model and what the reconciler observed this time.
 *
 * @param model             the cluster, its defaults resolved ({@link ClusterModel})
 * @param versions          the Kubernetes patch each component runs (resolved, never a bare minor)
 * @param endpointHost      host of the cluster's endpoint once known (load-balancer address, node address, cluster IP)
 * @param certificateHashes content digest of each certificate Secret, by Secret name; a change rolls the pods that
 *                          mount that Secret. Secrets missing from the map count as empty.
 * @param size              the replicas and requests the control plane runs with: starter's fixed profile, or the pro
 *                          size the sizing decision chose ({@link ControlPlaneSizes}); every renderer reads them here
 */
public record ControlPlaneInputs(
        ClusterModel model,
        ComponentVersions versions,
        Optional<String> endpointHost,
        Map<String, String> certificateHashes,
        SizeProfile size) {

    public ControlPlaneInputs {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(versions, "versions");
        endpointHost = endpointHost == null ? Optional.empty() : endpointHost.filter(h -> !h.isBlank());
        certificateHashes =
                certificateHashes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(certificateHashes));
        size = size == null ? ControlPlaneSizes.of(model.level(), Optional.empty()) : size;
    }

    /** At the level's first size (starter's fixed one, pro's smallest). */
    public ControlPlaneInputs(
            ClusterModel model,
            ComponentVersions versions,
            Optional<String> endpointHost,
            Map<String, String> certificateHashes) {
        this(model, versions, endpointHost, certificateHashes, null);
    }

    /** Every component at the same patch: the steady state, and a new cluster. */
    public ControlPlaneInputs(
            ClusterModel model,
            KubernetesVersion version,
            Optional<String> endpointHost,
            Map<String, String> certificateHashes) {
        this(model, ComponentVersions.allAt(version), endpointHost, certificateHashes, null);
    }

    public String name() {
        return model.name();
    }

    public String namespace() {
        return model.namespace();
    }

    /** The SKSCluster every rendered object is owned by. */
    public SKSCluster owner() {
        return model.owner();
    }

    public String image(ControlPlaneComponent component) {
        return model.image(component.image(), versions.of(component));
    }
}
