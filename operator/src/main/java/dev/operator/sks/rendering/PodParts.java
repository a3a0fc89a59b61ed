package dev.operator.sks.rendering;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.sizing.Requests;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Pieces every control-plane pod shares: hardened security contexts, read-only Secret volumes, probes, spreading. */
final class PodParts {
    /** The "nonroot" user of distroless images, which the control-plane images are built on. */
    static final long NON_ROOT_ID = 65532L;
    /** Owner and group may read; with fsGroup the non-root user reads through the group. */
    static final int SECRET_FILE_MODE = 0440;

    static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";
    static final String ZONE_TOPOLOGY = "topology.kubernetes.io/zone";

    private PodParts() {}

    static PodSecurityContext podSecurityContext() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(NON_ROOT_ID)
                .withRunAsGroup(NON_ROOT_ID)
                .withFsGroup(NON_ROOT_ID)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    static SecurityContext containerSecurityContext() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build();
    }

    /** A Secret mounted read-only; with {@code items}, only those keys (e.g. a CA's certificate, never its key). */
    static Volume secretVolume(String volumeName, String secretName, KeyToPath... items) {
        return new VolumeBuilder()
                .withName(volumeName)
                .withNewSecret()
                .withSecretName(secretName)
                .withDefaultMode(SECRET_FILE_MODE)
                .addToItems(items)
                .endSecret()
                .build();
    }

    static KeyToPath item(String key, String path) {
        return new KeyToPath(key, null, path);
    }

    static VolumeMount readOnlyMount(String volumeName, String path) {
        return new VolumeMountBuilder()
                .withName(volumeName)
                .withMountPath(path)
                .withReadOnly(true)
                .build();
    }

    static VolumeMount writableMount(String volumeName, String path) {
        return new VolumeMountBuilder().withName(volumeName).withMountPath(path).build();
    }

    static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder()
                .withName(name)
                .withContainerPort(port)
                .withProtocol("TCP")
                .build();
    }

    static Probe httpProbe(
            String scheme, String path, int port, int initialDelaySeconds, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withScheme(scheme)
                .withPath(path)
                .withPort(new IntOrString(port))
                .endHttpGet()
                .withInitialDelaySeconds(initialDelaySeconds)
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(15)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    static ResourceRequirements requests(String cpu, String memory) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(cpu))
                .addToRequests("memory", new Quantity(memory))
                .build();
    }

    static ResourceRequirements requests(Requests requests) {
        return requests(requests.cpu(), requests.memory());
    }

    static LabelSelector selector(ControlPlaneInputs inputs, ControlPlaneComponent component) {
        return new LabelSelectorBuilder()
                .withMatchLabels(Labels.selector(inputs.name(), component.label()))
                .build();
    }

    /** Prefer one pod per node; a required rule would block rolling updates on small management clusters. */
    static Affinity preferSeparateNodes(ControlPlaneInputs inputs, ControlPlaneComponent component) {
        return new AffinityBuilder()
                .withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100)
                .withNewPodAffinityTerm()
                .withLabelSelector(selector(inputs, component))
                .withTopologyKey(HOSTNAME_TOPOLOGY)
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .build();
    }

    /** Spread over nodes and zones where the management cluster has them, without refusing to schedule. */
    static List<TopologySpreadConstraint> spread(ControlPlaneInputs inputs, ControlPlaneComponent component) {
        return List.of(spreadOver(HOSTNAME_TOPOLOGY, inputs, component), spreadOver(ZONE_TOPOLOGY, inputs, component));
    }

    private static TopologySpreadConstraint spreadOver(
            String topologyKey, ControlPlaneInputs inputs, ControlPlaneComponent component) {
        return new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey(topologyKey)
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withLabelSelector(selector(inputs, component))
                .build();
    }

    /**
     * Digest of the hashes of the Secrets a pod mounts (absent ones count as empty): it changes when, and only when, one
     * of them changes.
     */
    static String certificatesHash(ControlPlaneInputs inputs, List<SecretVolume> mounted) {
        StringBuilder text = new StringBuilder();
        for (String name :
                new TreeSet<>(mounted.stream().map(SecretVolume::secretName).toList())) {
            text.append(name)
                    .append('=')
                    .append(inputs.certificateHashes().getOrDefault(name, ""))
                    .append('\n');
        }
        return Digests.sha256Hex(text.toString());
    }

    static List<Volume> volumes(List<SecretVolume> mounted) {
        return mounted.stream().map(SecretVolume::volume).toList();
    }

    /** Digest of a ConfigMap's data, in key order. */
    static String configHash(Map<String, String> data) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(data)
                .forEach((key, value) ->
                        text.append(key).append('=').append(value).append('\n'));
        return Digests.sha256Hex(text.toString());
    }
}
