package dev.operator.sks.autoscaling;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.autoscaling.proto.k8s.Node;
import dev.operator.sks.autoscaling.proto.k8s.NodeCondition;
import dev.operator.sks.autoscaling.proto.k8s.NodeSpec;
import dev.operator.sks.autoscaling.proto.k8s.NodeStatus;
import dev.operator.sks.autoscaling.proto.k8s.ObjectMeta;
import dev.operator.sks.autoscaling.proto.k8s.Quantity;
import dev.operator.sks.autoscaling.proto.k8s.Taint;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.simulated.NodeInitialization;
import dev.operator.sks.provider.simulated.SimulatedNodeRenderer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Node a new machine of a pool would become once its kubelet registered and its cloud controller initialized it:
 * what the cluster-autoscaler simulates scheduling onto when a pool has no machine to copy (scale from zero). Built from
 * the same knowledge as the simulated kubelet's Node ({@link SimulatedNodeRenderer}: the pool's labels and taints, the
 * instance type's capacity, the kubelet's platform labels) and the cloud controller's labels
 * ({@link NodeInitialization}: instance type, zone, region), without the uninitialized taint the cloud controller
 * lifts. Pure.
 */
public final class TemplateNode {

    private TemplateNode() {}

    /**
     * @param groupId the node group's id, which names the template (the autoscaler adds a random suffix of its own)
     * @param nodeLabels the labels the pool's kubelets register with (nodepool labels and nodepool id)
     */
    public record Inputs(
            String groupId,
            Map<String, String> nodeLabels,
            List<NodepoolTaint> taints,
            InstanceType instanceType,
            KubernetesVersion version,
            String zone) {}

    public static Node render(Inputs inputs) {
        String name = "template-node-for-" + inputs.groupId();
        // A fixed instant: the template is the same Node whenever asked, and the autoscaler reads no time from it.
        io.fabric8.kubernetes.api.model.Node kubelet = SimulatedNodeRenderer.render(
                new ProviderInstance(name, name, InstanceState.Running, List.of()),
                inputs.nodeLabels(),
                inputs.taints(),
                inputs.instanceType(),
                inputs.version(),
                Instant.EPOCH);
        ObjectMeta.Builder metadata = ObjectMeta.newBuilder().setName(name);
        metadata.putAllLabels(kubelet.getMetadata().getLabels());
        metadata.putLabels(
                NodeInitialization.INSTANCE_TYPE_LABEL, inputs.instanceType().name());
        if (inputs.zone() != null && !inputs.zone().isBlank()) {
            metadata.putLabels(NodeInitialization.ZONE_LABEL, inputs.zone());
            metadata.putLabels(NodeInitialization.REGION_LABEL, inputs.zone());
        }
        NodeSpec.Builder spec = NodeSpec.newBuilder();
        for (io.fabric8.kubernetes.api.model.Taint taint : kubelet.getSpec().getTaints()) {
            if (NodeInitialization.UNINITIALIZED_TAINT.equals(taint.getKey())) {
                continue; // lifted by the cloud controller before anything schedules
            }
            Taint.Builder t = Taint.newBuilder().setKey(taint.getKey()).setEffect(taint.getEffect());
            if (taint.getValue() != null) {
                t.setValue(taint.getValue());
            }
            spec.addTaints(t);
        }
        NodeStatus.Builder status = NodeStatus.newBuilder();
        kubelet.getStatus()
                .getCapacity()
                .forEach((k, v) -> status.putCapacity(
                        k, Quantity.newBuilder().setString(v.toString()).build()));
        kubelet.getStatus()
                .getAllocatable()
                .forEach((k, v) -> status.putAllocatable(
                        k, Quantity.newBuilder().setString(v.toString()).build()));
        status.addConditions(NodeCondition.newBuilder()
                .setType("Ready")
                .setStatus("True")
                .setReason("KubeletReady")
                .setMessage("template of a new node of the pool"));
        return Node.newBuilder()
                .setMetadata(metadata)
                .setSpec(spec)
                .setStatus(status)
                .build();
    }
}
