package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeLabelsTest {

    private static ManagedFieldsEntry owns(String manager, String... labels) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String label : labels) {
            fields.put("f:" + label, Map.of());
        }
        FieldsV1 v1 = new FieldsV1();
        v1.setAdditionalProperty("f:metadata", Map.of("f:labels", fields));
        return new ManagedFieldsEntryBuilder()
                .withManager(manager)
                .withOperation("Apply")
                .withFieldsType("FieldsV1")
                .withFieldsV1(v1)
                .build();
    }

    private static Node node(Map<String, String> labels, ManagedFieldsEntry... managed) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName("pool-1")
                .withLabels(labels)
                .withManagedFields(List.of(managed))
                .endMetadata()
                .build();
    }

    @Test
    void aNodeCarryingThePoolsLabelsAsTheOperatorsNeedsNothing() {
        Node node = node(
                Map.of("role", "worker", "team", "a"),
                owns("kubelet", "role"),
                owns(Labels.NODE_LABELS_FIELD_MANAGER, "role"),
                owns("someone", "team"));
        assertThat(NodeLabels.plan(node, Map.of("role", "worker")).needed()).isFalse();
    }

    @Test
    void newAndChangedLabelsAreApplied() {
        Node node = node(Map.of("role", "worker"), owns("kubelet", "role"));
        NodeLabels.Plan plan = NodeLabels.plan(node, Map.of("role", "db", "tier", "1"));
        assertThat(plan.needed()).isTrue();
        assertThat(plan.apply()).isEqualTo(Map.of("role", "db", "tier", "1"));
        assertThat(plan.remove()).isEmpty();
    }

    @Test
    void aDroppedLabelGoesOnlyWhenTheOperatorSetItAndNobodyButTheKubeletAlso() {
        Node node = node(
                Map.of("role", "worker", "team", "a", "shared", "x", "own", "y"),
                owns("kubelet", "role", "shared"),
                owns(Labels.NODE_LABELS_FIELD_MANAGER, "role", "shared", "own"),
                owns("someone", "team", "shared"));

        NodeLabels.Plan plan = NodeLabels.plan(node, Map.of());

        assertThat(plan.needed()).isTrue();
        // role: the operator's and the kubelet's registration; own: the operator's alone; shared: someone's too;
        // team: never the operator's.
        assertThat(plan.remove()).containsExactlyInAnyOrder("role", "own");
    }
}
