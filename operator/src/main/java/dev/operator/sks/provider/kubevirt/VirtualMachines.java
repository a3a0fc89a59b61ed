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

  /**
   * @param image the root disk image (a container image reference)
   * @param userDataSecret the Secret with key {@code userData}: referenced, so the user-data (with its bootstrap
   *     token) never sits in the VirtualMachine
   * @param dataVolumes whether CDI is there to import the image into a DataVolume of the pool's disk size; without
   *     it the image is an ephemeral containerDisk
   */
  static GenericKubernetesResource render(DesiredPool desired, String name, long ordinal, String image,
      String userDataSecret, boolean dataVolumes) {
    Map<String, String> labels = Labels.forKubevirtInstance(desired.cluster(), desired.poolName());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.INSTANCE_ORDINAL_ANNOTATION, Long.toString(ordinal));
    annotations.put(Labels.INSTANCE_POOL, desired.poolName()); // the label value may be shortened

    String memory = desired.instanceType().memoryMiB() + "Mi";
    Map<String, Object> domain = new LinkedHashMap<>();
    domain.put("cpu", Map.of("cores", desired.instanceType().cpus()));
    domain.put("memory", Map.of("guest", memory));
    domain.put("resources", Map.of("requests", Map.of("memory", memory)));
    domain.put("devices", Map.of(
        "disks", List.of(
            Map.of("name", ROOT_DISK, "disk", Map.of("bus", "virtio")),
            Map.of("name", CLOUD_INIT_DISK, "disk", Map.of("bus", "virtio"))),
        "interfaces", List.of(Map.of("name", NETWORK, "masquerade", Map.of()))));

    Map<String, Object> rootVolume = new LinkedHashMap<>();
    rootVolume.put("name", ROOT_DISK);
    if (dataVolumes) {
      rootVolume.put("dataVolume", Map.of("name", Names.kubevirtRootDisk(name)));
    } else {
      rootVolume.put("containerDisk", Map.of("image", image));
    }
    Map<String, Object> cloudInit = Map.of("name", CLOUD_INIT_DISK,
        "cloudInitNoCloud", Map.of("secretRef", Map.of("name", userDataSecret)));

    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("domain", domain);
    podSpec.put("networks", List.of(Map.of("name", NETWORK, "pod", Map.of())));
    podSpec.put("volumes", List.of(rootVolume, cloudInit));
    desired.deployTarget().ifPresent(node -> podSpec.put("nodeSelector", Map.of("kubernetes.io/hostname", node)));

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("running", true);
    if (dataVolumes) {
      spec.put("dataVolumeTemplates", List.of(Map.of(
          "metadata", Map.of("name", Names.kubevirtRootDisk(name)),
          "spec", Map.of(
              "source", Map.of("registry", Map.of("url", "docker://" + image)),
              "storage", Map.of("resources", Map.of("requests",
                  Map.of("storage", desired.diskSizeGib() + "Gi")))))));
    }
    spec.put("template", Map.of("metadata", Map.of("labels", labels), "spec", podSpec));

    return new GenericKubernetesResourceBuilder()
        .withApiVersion(KubeVirtProvider.GROUP_VERSION)
        .withKind("VirtualMachine")
        .withNewMetadata()
        .withName(name)
        .withNamespace(desired.namespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
