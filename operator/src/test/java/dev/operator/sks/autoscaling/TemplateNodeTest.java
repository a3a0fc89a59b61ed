package dev.operator.sks.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.autoscaling.proto.k8s.Node;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.provider.simulated.NodeInitialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateNodeTest {

    private static NodepoolTaint taint() {
        NodepoolTaint taint = new NodepoolTaint();
        taint.key = "dedicated";
        taint.value = "batch";
        taint.effect = TaintEffect.values()[0];
        return taint;
    }

    private static Node render(InstanceType type) {
        return TemplateNode.render(new TemplateNode.Inputs(
                "np-id",
                Map.of("team", "a", "sks.operator.dev/nodepool-id", "np-id"),
                List.of(taint()),
                type,
                KubernetesVersion.of("1.33.4"),
                "ch-gva-2"));
    }

    @Test
    void aNewMachineAsItsCloudControllerLeavesIt() throws Exception {
        Node node = render(new InstanceType("standard.medium", 2, 4096, 0));
        assertThat(node.getMetadata().getLabelsMap())
                .containsEntry("team", "a")
                .containsEntry("sks.operator.dev/nodepool-id", "np-id")
                .containsEntry(NodeInitialization.INSTANCE_TYPE_LABEL, "standard.medium")
                .containsEntry(NodeInitialization.ZONE_LABEL, "ch-gva-2")
                .containsEntry("kubernetes.io/os", "linux");
        assertThat(node.getStatus().getCapacityMap().get("cpu").getString()).isEqualTo("2");
        assertThat(node.getStatus().getCapacityMap().get("memory").getString()).isEqualTo("4096Mi");
        assertThat(node.getStatus().getAllocatableMap()).containsKeys("cpu", "memory", "pods");
        assertThat(node.getStatus().getCapacityMap()).doesNotContainKey("nvidia.com/gpu");
        // The pool's taint stays; the cloud controller's uninitialized taint is gone before anything schedules.
        assertThat(node.getSpec().getTaintsList()).extracting(t -> t.getKey()).containsExactly("dedicated");
        assertThat(node.getStatus().getConditionsList())
                .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        // The same bytes whichever way the autoscaler reads them (nodeBytes, or nodeInfo before 1.32).
        assertThat(Node.parseFrom(node.toByteArray())).isEqualTo(node);
    }

    @Test
    void gpusAreCapacity() {
        Node node = render(new InstanceType("gpu.small", 8, 61440, 1));
        assertThat(node.getStatus().getCapacityMap().get("nvidia.com/gpu").getString())
                .isEqualTo("1");
    }

    @Test
    void theSameTemplateEveryTime() {
        InstanceType type = new InstanceType("standard.medium", 2, 4096, 0);
        assertThat(render(type).toByteString()).isEqualTo(render(type).toByteString());
    }
}
