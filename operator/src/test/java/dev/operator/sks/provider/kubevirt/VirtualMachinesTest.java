package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.DesiredPool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VirtualMachinesTest {
    private static final DesiredPool POOL = new DesiredPool(
            "team-a",
            "nodepool-workers-1",
            "demo",
            "ch-gva-2",
            1,
            new InstanceType("standard.large", 4, 8192, 0),
            120,
            "",
            "pool",
            List.of(),
            List.of(),
            List.of(),
            Optional.empty(),
            Map.of(),
            List.of(),
            "#cloud-config\nsecret-token",
            Optional.of("ud"),
            Optional.empty());

    @Test
    void withCdiTheRootDiskIsADataVolumeOfThePoolsDiskSize() {
        GenericKubernetesResource vm =
                VirtualMachines.render(POOL, "nodepool-workers-1-abcde", 7, "quay.io/img:1", "ud", true);
        String json = new KubernetesSerialization().asJson(vm);
        assertThat(json)
                .contains("\"dataVolumeTemplates\":[{\"metadata\":{\"name\":\"nodepool-workers-1-abcde-root\"}")
                .contains("\"url\":\"docker://quay.io/img:1\"")
                .contains("\"storage\":\"120Gi\"")
                .contains("\"dataVolume\":{\"name\":\"nodepool-workers-1-abcde-root\"}")
                .contains("\"cores\":4")
                .contains("\"guest\":\"8192Mi\"")
                .doesNotContain("containerDisk")
                .doesNotContain("nodeSelector")
                .doesNotContain("secret-token");
    }

    @Test
    void theTemplateCarriesTheLabelsTheKubeVirtCloudControllersServicesSelect() {
        GenericKubernetesResource vm =
                VirtualMachines.render(POOL, "nodepool-workers-1-abcde", 1, "quay.io/img:1", "ud", false);
        @SuppressWarnings("unchecked")
        Map<String, Object> template = (Map<String, Object>)
                ((Map<String, Object>) vm.getAdditionalProperties().get("spec")).get("template");
        @SuppressWarnings("unchecked")
        Map<String, String> labels =
                (Map<String, String>) ((Map<String, Object>) template.get("metadata")).get("labels");

        assertThat(labels)
                .containsEntry("cluster.x-k8s.io/cluster-name", "demo")
                .containsEntry("cluster.x-k8s.io/role", "worker")
                .containsAllEntriesOf(vm.getMetadata().getLabels());
    }

    @Test
    void withoutCdiTheImageIsAContainerDisk() {
        String json = new KubernetesSerialization()
                .asJson(VirtualMachines.render(POOL, "nodepool-workers-1-abcde", 1, "quay.io/img:1", "ud", false));
        assertThat(json)
                .contains("\"containerDisk\":{\"image\":\"quay.io/img:1\"}")
                .doesNotContain("dataVolume");
    }
}
