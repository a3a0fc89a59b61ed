package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterColumnOrderTest {

    @Test
    void committedCrdsListTheirColumnsAsTheClassesDeclareThem() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (Class<? extends HasMetadata> resource : PrinterColumnOrder.RESOURCES) {
            CustomResourceDefinition crd = serialization.unmarshal(Files.readString(RepoPaths.crds()
                    .resolve(HasMetadata.getPlural(resource) + "." + HasMetadata.getGroup(resource) + "-v1.yml")));
            List<CustomResourceColumnDefinition> columns =
                    crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
            assertThat(columns)
                    .extracting(CustomResourceColumnDefinition::getName)
                    .as(resource.getSimpleName())
                    .containsExactlyElementsOf(PrinterColumnOrder.declaredOrder(resource));
            // AGE ends what kubectl get shows; the -o wide columns (priority 1) follow it, as kubectl's own do.
            assertThat(columns.stream()
                            .filter(c -> c.getPriority() == null || c.getPriority() == 0)
                            .map(CustomResourceColumnDefinition::getName))
                    .as(resource.getSimpleName())
                    .last()
                    .isEqualTo("Age");
        }
        assertThat(PrinterColumnOrder.declaredOrder(SKSCluster.class))
                .containsExactly(
                        "Zone", "Version", "State", "Age", "Level", "Endpoint", "Auto Upgrade", "Addons", "Size");
    }

    @Test
    void onlyTheColumnItemsMoveAndUnnamedOnesGoLast() {
        String generated = """
        spec:
          versions:
          - additionalPrinterColumns:
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
            - jsonPath: ".spec.other"
              name: "Other"
              type: "string"
            - jsonPath: ".spec.zone"
              name: "Zone"
              type: "string"
            name: "v1alpha1"
            served: true
        """;
        assertThat(PrinterColumnOrder.reorder(generated, List.of("Zone", "Age")))
                .isEqualTo("""
        spec:
          versions:
          - additionalPrinterColumns:
            - jsonPath: ".spec.zone"
              name: "Zone"
              type: "string"
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
            - jsonPath: ".spec.other"
              name: "Other"
              type: "string"
            name: "v1alpha1"
            served: true
        """);
        assertThat(PrinterColumnOrder.reorder(generated, List.of("Age", "Other", "Zone")))
                .isEqualTo(generated);
    }
}
