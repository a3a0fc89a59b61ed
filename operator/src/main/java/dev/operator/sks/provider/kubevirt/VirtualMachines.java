package dev.operator.sks.provider.kubevirt;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the KubeVirt VirtualMachine of one instance: pure, no client. */
final class VirtualMachines {
    static final String ROOT_DISK = "root";
    static final String CLOUD_INIT_DISK = "cloudinit";
    static final String NETWORK = "default";

    private VirtualMachines() {}

    /** A map keeping its keys in the order given, so the rendered object reads the same every time. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /**
     * @param image the root disk image (a container image reference)
     * @param userDataSecret the Secret with key {@code userData}: referenced, so the user-data (with its bootstrap
     *     token) never sits in the VirtualMachine
     * @param dataVolumes whether CDI is there to import the image into a DataVolume of the pool's disk size; without
     *     it the image is an ephemeral containerDisk
     */
    static GenericKubernetesResource render(
            DesiredPool desired, String name, long ordinal, String image, String userDataSecret, boolean dataVolumes) {
        Map<String, String> labels = Labels.forKubevirtInstance(desired.cluster(), desired.poolName());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.INSTANCE_ORDINAL_ANNOTATION, Long.toString(ordinal));
        annotations.put(Labels.INSTANCE_POOL, desired.poolName()); // the label value may be shortened

        String memory = desired.instanceType().memoryMiB() + "Mi";
        Map<String, Object> domain = new LinkedHashMap<>();
        domain.put("cpu", map("cores", desired.instanceType().cpus()));
        domain.put("memory", map("guest", memory));
        domain.put("resources", map("requests", map("memory", memory)));
        domain.put(
                "devices",
                map(
                        "disks",
                                List.of(
                                        map("name", ROOT_DISK, "disk", map("bus", "virtio")),
                                        map("name", CLOUD_INIT_DISK, "disk", map("bus", "virtio"))),
                        "interfaces", List.of(map("name", NETWORK, "masquerade", map()))));

        Map<String, Object> rootVolume = new LinkedHashMap<>();
        rootVolume.put("name", ROOT_DISK);
        if (dataVolumes) {
            rootVolume.put("dataVolume", map("name", Names.kubevirtRootDisk(name)));
        } else {
            rootVolume.put("containerDisk", map("image", image));
        }
        Map<String, Object> cloudInit =
                map("name", CLOUD_INIT_DISK, "cloudInitNoCloud", map("secretRef", map("name", userDataSecret)));

        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("domain", domain);
        podSpec.put("networks", List.of(map("name", NETWORK, "pod", map())));
        podSpec.put("volumes", List.of(rootVolume, cloudInit));
        desired.deployTarget().ifPresent(node -> podSpec.put("nodeSelector", map("kubernetes.io/hostname", node)));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("running", true);
        if (dataVolumes) {
            spec.put(
                    "dataVolumeTemplates",
                    List.of(map(
                            "metadata", map("name", Names.kubevirtRootDisk(name)),
                            "spec",
                                    map(
                                            "source", map("registry", map("url", "docker://" + image)),
                                            "storage",
                                                    map(
                                                            "resources",
                                                            map(
                                                                    "requests",
                                                                    map("storage", desired.diskSizeGib() + "Gi")))))));
        }
        spec.put(
                "template",
                map(
                        "metadata",
                        map("labels", Labels.forKubevirtLauncher(desired.cluster(), desired.poolName())),
                        "spec",
                        podSpec));

        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubeVirtProvider.GROUP_VERSION)
                .withKind("VirtualMachine")
                .withNewMetadata()
                .withName(name)
                .withNamespace(desired.namespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withAdditionalProperties(map("spec", spec))
                .build();
    }
}
