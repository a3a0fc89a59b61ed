package dev.operator.sks.tenant;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.simulated.NodeInitialization;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cloud-node controller: what a cloud controller manager does to a Node its kubelet registered with
 * {@code --cloud-provider=external}, for simulated instances, as {@link NodeInitialization} decides. Kept apart from
 * the played kubelet ({@link PoolNodes}) as the two are apart in a real cluster: the kubelet registers, the cloud
 * controller initializes.
 */
final class SimulatedCloudNodes {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCloudNodes.class);

    private SimulatedCloudNodes() {}

    /**
     * Initializes {@code node} when it still carries the uninitialized taint: its addresses first (status
     * subresource), then its providerID and labels, lifting the taint. Empty when the Node names another machine
     * in its providerID: it is not this instance's, and it is left alone.
     */
    static Optional<Node> initialize(
            KubernetesClient tenant,
            Node node,
            ProviderInstance instance,
            String poolName,
            String zone,
            InstanceType type) {
        NodeInitialization.Step step = NodeInitialization.plan(node, instance, poolName, zone, type);
        if (step instanceof NodeInitialization.Initialize initialize) {
            var resource = tenant.nodes().withName(node.getMetadata().getName());
            resource.editStatus(initialize::withAddresses);
            return Optional.of(resource.edit(initialize::initialized));
        }
        if (step instanceof NodeInitialization.Foreign foreign) {
            LOG.warn(
                    "Node {} names another machine ({}), not simulated instance {}: left alone",
                    node.getMetadata().getName(),
                    foreign.providerId(),
                    instance.id());
            return Optional.empty();
        }
        return Optional.of(node);
    }
}
