package dev.operator.sks.provider.simulated;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.ProviderInstance;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulated cloud-node controller does to a Node its kubelet registered with {@code --cloud-provider=external}
 * (as a cloud controller manager's cloud-node controller, or cloud-provider-kind, does): it names the machine
 * ({@code spec.providerID}), reports its addresses, labels its zone, region and instance type, and lifts the
 * {@link #UNINITIALIZED_TAINT} so pods may schedule. Pure: the Node and its instance in, the step out.
 *
 * <p>Exoscale has zones and no regions above them; its own CCM reports the zone as the region, and so does this.
 */
public final class NodeInitialization {
    /** The taint a kubelet with an external cloud provider registers with, until a cloud controller removes it. */
    public static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    public static final String REGION_LABEL = "topology.kubernetes.io/region";
    public static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
    public static final String PROVIDER_ID_SCHEME = "simulated://";

    private NodeInitialization() {}

    public sealed interface Step permits Initialize, Initialized, Foreign {}

    /** The Node still carries the taint: set these and lift it. */
    public record Initialize(String providerId, List<NodeAddress> addresses, Map<String, String> labels)
            implements Step {
        public Initialize {
            addresses = List.copyOf(addresses);
            labels = Map.copyOf(labels);
        }

        /** {@code node} with its addresses reported (the status subresource's part, written first). */
        public Node withAddresses(Node node) {
            return new NodeBuilder(node)
                    .editOrNewStatus()
                    .withAddresses(addresses)
                    .endStatus()
                    .build();
        }

        /**
         * {@code node} with its providerID and labels set and the taint lifted (written once its addresses are there,
         * so a Node pods may schedule on always has them).
         */
        public Node initialized(Node node) {
            Map<String, String> merged = new LinkedHashMap<>();
            if (node.getMetadata().getLabels() != null) {
                merged.putAll(node.getMetadata().getLabels());
            }
            merged.putAll(labels);
            List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                    ? List.of()
                    : node.getSpec().getTaints().stream()
                            .filter(t -> !UNINITIALIZED_TAINT.equals(t.getKey()))
                            .toList();
            return new NodeBuilder(node)
                    .editMetadata()
                    .withLabels(merged)
                    .endMetadata()
                    .editOrNewSpec()
                    .withProviderID(providerId)
                    .withTaints(taints)
                    .endSpec()
                    .build();
        }
    }

    /** No taint left: initialization happens once, as with a real cloud controller. */
    public record Initialized() implements Step {}

    /**
     * The Node names another machine in its providerID (immutable once set): it is not this instance's, and it is left
     * as it is.
     */
    public record Foreign(String providerId) implements Step {}

    /** The providerID of a simulated instance: its pool and its stable id, so no two machines share one. */
    public static String providerId(String poolName, ProviderInstance instance) {
        return PROVIDER_ID_SCHEME + poolName + "/" + instance.id();
    }

    /** The uninitialized taint as a kubelet with {@code --cloud-provider=external} registers it. */
    public static Taint uninitializedTaint() {
        return new Taint("NoSchedule", UNINITIALIZED_TAINT, null, "true");
    }

    public static boolean uninitialized(Node node) {
        return node.getSpec() != null
                && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> UNINITIALIZED_TAINT.equals(t.getKey()));
    }

    /**
     * @param node the Node registered for {@code instance} (named as it)
     * @param poolName the InstancePool's name (without namespace)
     * @param zone the pool's zone
     */
    public static Step plan(Node node, ProviderInstance instance, String poolName, String zone, InstanceType type) {
        String providerId = providerId(poolName, instance);
        String current = node.getSpec() == null ? null : node.getSpec().getProviderID();
        if (current != null && !current.isEmpty() && !current.equals(providerId)) {
            return new Foreign(current);
        }
        if (!uninitialized(node)) {
            return new Initialized();
        }
        List<NodeAddress> addresses = new ArrayList<>();
        instance.addresses().forEach(a -> addresses.add(new NodeAddress(a, "InternalIP")));
        addresses.add(new NodeAddress(instance.name(), "Hostname"));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(INSTANCE_TYPE_LABEL, type.name());
        if (zone != null && !zone.isBlank()) {
            labels.put(ZONE_LABEL, zone);
            labels.put(REGION_LABEL, zone);
        }
        return new Initialize(providerId, addresses, labels);
    }
}
