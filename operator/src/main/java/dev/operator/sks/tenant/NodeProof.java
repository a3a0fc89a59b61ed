package dev.operator.sks.tenant;

import io.fabric8.kubernetes.api.model.Node;
import java.util.Objects;

/**
 * Whether a tenant Node is provably the Node of one of a pool's machines, so the pool may relabel it, or delete it once
 * the machine is gone: pure.
 *
 * <p>The proof is the machine, never a label (anyone who may edit Nodes can set a label): the Node bears the name of an
 * instance the pool had (a kubelet registers as its machine's name, and pool instance names carry a random suffix),
 * and, when it names its machine in {@code spec.providerID}, that is the same machine (its id or name is the
 * providerID's last segment: {@code exoscale://<id>}, {@code kubevirt://<name>}, {@code simulated://<pool>/<id>}). A
 * Node whose providerID names another machine is not the pool's, whatever it is called.
 */
public final class NodeProof {
    private NodeProof() {}

    /** A machine of a pool, by name and provider id. */
    public record Machine(String name, String id) {
        public Machine {
            Objects.requireNonNull(name, "name");
            id = Objects.requireNonNullElse(id, "");
        }
    }

    public static boolean isNodeOf(Node node, Machine instance) {
        if (!instance.name().equals(node.getMetadata().getName())) {
            return false;
        }
        String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
        if (providerId == null || providerId.isEmpty()) {
            return true;
        }
        String last = providerId.substring(providerId.lastIndexOf('/') + 1);
        return (!instance.id().isEmpty() && last.equals(instance.id())) || last.equals(instance.name());
    }
}
