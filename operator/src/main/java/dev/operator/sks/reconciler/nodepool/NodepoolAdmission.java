package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.validation.Violation;
import java.util.List;
import java.util.Optional;

/**
 * Which cluster a Nodepool belongs to, and whether its spec is acted on: pure, from the pool's status, the cluster of
 * the name it looked up, and the spec's violations.
 *
 * <p>A pool belongs to the cluster it was first accepted for, by UID ({@code status.clusterUID}): a later edit of
 * spec.cluster is refused and never acted on, the pool goes on serving its own cluster, and a cluster deleted and
 * created again under the same name is another cluster, which the pool does not join.
 */
public final class NodepoolAdmission {
    /** Ready reasons of a pool whose cluster is no more: its InstancePool then leaves its machines and Nodes alone. */
    public static final String CLUSTER_GONE = "ClusterGone";

    public static final String CLUSTER_REPLACED = "ClusterReplaced";

    private NodepoolAdmission() {}

    public sealed interface Decision permits Refused, Serve, Orphaned {}

    /** Never accepted: nothing is made until the spec or the cluster is fixed. */
    public record Refused(String reason, String message) implements Decision {}

    /**
     * Served for {@code cluster}, the one the pool belongs to. With {@code violations}, the spec is refused: what runs
     * is kept as it was accepted and nothing of the new spec is acted on.
     */
    public record Serve(SKSCluster cluster, List<Violation> violations) implements Decision {
        public Serve {
            violations = List.copyOf(violations);
        }

        public boolean specAccepted() {
            return violations.isEmpty();
        }
    }

    /** The cluster the pool was accepted for no longer exists: nothing is acted on, the condition says why. */
    public record Orphaned(String reason, String message) implements Decision {}

    /** The SKSCluster to look up: the one the pool was accepted for once there is one, never a later spec.cluster. */
    public static String clusterName(Nodepool nodepool) {
        NodepoolStatus status = nodepool.getStatus();
        if (status != null && status.cluster != null) {
            return status.cluster;
        }
        return nodepool.getSpec() == null ? null : nodepool.getSpec().cluster;
    }

    /**
     * @param status     the pool's status (its {@code cluster} and {@code clusterUID} say whom it belongs to)
     * @param named      the SKSCluster named {@link #clusterName}, if it exists
     * @param violations what is wrong with the spec
     */
    public static Decision decide(
            Nodepool nodepool, NodepoolStatus status, Optional<SKSCluster> named, List<Violation> violations) {
        String namespace = nodepool.getMetadata().getNamespace();
        if (status.clusterUID != null) {
            if (named.isEmpty()) {
                return new Orphaned(
                        CLUSTER_GONE,
                        "SKSCluster " + status.cluster + " (uid " + status.clusterUID
                                + "), which this pool was accepted for, no longer exists in namespace " + namespace
                                + "; the pool "
                                + "acts on nothing: delete this Nodepool");
            }
            String uid = named.get().getMetadata().getUid();
            if (!status.clusterUID.equals(uid)) {
                return new Orphaned(
                        CLUSTER_REPLACED,
                        "SKSCluster " + status.cluster + " was deleted and created again "
                                + "(uid " + status.clusterUID + ", now " + uid
                                + "): this pool belongs to the deleted cluster and does "
                                + "not join the new one; delete this Nodepool, and create one for the new cluster");
            }
            return new Serve(named.get(), violations);
        }
        // An operator that recorded no UID accepted the pool for status.cluster: it keeps that cluster.
        boolean acceptedByName = status.cluster != null;
        if (!violations.isEmpty() && !acceptedByName) {
            return new Refused(Violation.reasonOf(violations), Violation.messageOf(violations));
        }
        if (named.isEmpty()) {
            return new Refused(
                    "ClusterNotFound",
                    "SKSCluster '" + clusterName(nodepool) + "' does not exist in " + "namespace " + namespace
                            + "; create it or correct spec.cluster");
        }
        return new Serve(named.get(), violations);
    }

    /** The Accepted condition: whether the spec is acted on, and if not what to fix. */
    public static PoolCondition accepted(Decision decision, List<Violation> violations) {
        if (decision instanceof Refused refused) {
            return PoolCondition.isFalse(Conditions.ACCEPTED, refused.reason(), refused.message());
        }
        if (violations.isEmpty()) {
            return PoolCondition.isTrue(Conditions.ACCEPTED, "Valid", "the spec is valid");
        }
        String kept = decision instanceof Serve serve
                ? "; until then the pool keeps its last accepted spec, for " + "cluster "
                        + serve.cluster().getMetadata().getName()
                : "";
        return PoolCondition.isFalse(
                Conditions.ACCEPTED, Violation.reasonOf(violations), Violation.messageOf(violations) + kept);
    }

    /** Ready of a pool that is not served (refused, or its cluster gone). */
    public static PoolCondition notServed(Decision decision) {
        if (decision instanceof Refused refused) {
            return PoolCondition.isFalse(Conditions.READY, refused.reason(), refused.message());
        }
        if (decision instanceof Orphaned orphaned) {
            return PoolCondition.isFalse(Conditions.READY, orphaned.reason(), orphaned.message());
        }
        throw new IllegalArgumentException("a served pool's readiness comes from its InstancePool: "
                + decision.getClass().getSimpleName());
    }
}
