package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.ApiGroup;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an InstancePool may run machines: only the one a Nodepool made for itself may. Pure, from the pool and the
 * Nodepool its controller reference names.
 *
 * <p>Anyone who may create an InstancePool could otherwise point one at another pool's user-data Secret and boot
 * machines with that pool's join token, or name a cluster the pool was never accepted for. So a pool runs only when
 * its controller is an existing Nodepool (same UID), accepted for the cluster the pool names, whose one InstancePool
 * it is (by name). Anything else never reaches the provider, not even to be deleted.
 */
public final class PoolOwnership {
    public static final String NOT_OWNED = "NotOwnedByNodepool";
    public static final String WAITING = "WaitingForNodepool";
    private static final String NODEPOOL_KIND = "Nodepool";

    private PoolOwnership() {}

    public sealed interface Verdict permits Owned, Waiting, Refused, Detached {}

    /** The pool is its Nodepool's own: it may run. */
    public record Owned(Nodepool nodepool) implements Verdict {}

    /** Its Nodepool made it and has not recorded its cluster yet (the two writes are a moment apart). */
    public record Waiting(String message) implements Verdict {}

    /** Not a Nodepool's own pool: it runs nothing; {@code message} says what to do. */
    public record Refused(String message) implements Verdict {}

    /**
     * Its Nodepool's own, but the cluster it was accepted for is gone ({@code reason} is the Nodepool's): the pool
     * neither scales nor touches a tenant (a cluster of the same name is another one); deleting it still deletes its
     * machines.
     */
    public record Detached(Nodepool nodepool, String reason, String message) implements Verdict {}

    /** The controller reference to a Nodepool, if the pool has one. */
    public static Optional<OwnerReference> nodepoolController(InstancePool pool) {
        if (pool.getMetadata().getOwnerReferences() == null) {
            return Optional.empty();
        }
        return pool.getMetadata().getOwnerReferences().stream()
                .filter(r -> Boolean.TRUE.equals(r.getController())
                        && NODEPOOL_KIND.equals(r.getKind())
                        && r.getApiVersion() != null
                        && r.getApiVersion().startsWith(ApiGroup.GROUP + "/"))
                .findFirst();
    }

    /**
     * Whether a Nodepool update can change a verdict: only the cluster it records does. Its other status moves (ready
     * nodes, conditions) follow the pool's own and must not wake it, or every pool change would call the provider twice.
     */
    public static boolean bindingChanged(Nodepool updated, Nodepool old) {
        return !Objects.equals(cluster(updated), cluster(old))
                || !Objects.equals(clusterUid(updated), clusterUid(old))
                || !Objects.equals(detachment(updated), detachment(old));
    }

    /** Whether the pool may be deleted through the provider: its machines are its Nodepool's, cluster or not. */
    public static boolean ownsMachines(Verdict verdict) {
        return verdict instanceof Owned || verdict instanceof Detached;
    }

    /**
     * The machines a deleted pool's provider deletion targets: only those of a pool that owns machines, and of an
     * instance type the catalog knows (none could have been made otherwise); empty: let the pool go without a call.
     */
    public static Optional<DesiredPool> machinesToDelete(
            InstancePool pool, Verdict verdict, Optional<InstanceType> type) {
        if (!ownsMachines(verdict) || type.isEmpty()) {
            return Optional.empty();
        }
        String providerId = pool.getStatus() == null ? null : pool.getStatus().providerId;
        return Optional.of(DesiredPool.from(pool, type.get(), "").withProviderId(providerId));
    }

    /** The Nodepool's Ready reason when its cluster is gone or replaced. */
    private static Optional<String> detachment(Nodepool nodepool) {
        return nodepool.getStatus() == null
                ? Optional.empty()
                : Conditions.find(nodepool.getStatus().conditions, Conditions.READY)
                        .map(Condition::getReason)
                        .filter(r -> NodepoolAdmission.CLUSTER_GONE.equals(r)
                                || NodepoolAdmission.CLUSTER_REPLACED.equals(r));
    }

    private static String cluster(Nodepool nodepool) {
        return nodepool.getStatus() == null ? null : nodepool.getStatus().cluster;
    }

    private static String clusterUid(Nodepool nodepool) {
        return nodepool.getStatus() == null ? null : nodepool.getStatus().clusterUID;
    }

    /** The one InstancePool a Nodepool makes: the pool its changes wake. */
    public static Set<ResourceID> ownPool(Nodepool nodepool) {
        return Set.of(new ResourceID(
                Names.instancePool(
                        nodepool.getMetadata().getName(), nodepool.getMetadata().getUid()),
                nodepool.getMetadata().getNamespace()));
    }

    /** The Nodepool a pool's controller reference names (whether it is that Nodepool's own is {@link #judge}'s call). */
    public static Set<ResourceID> controllingNodepool(InstancePool pool) {
        return nodepoolController(pool)
                .map(r -> Set.of(new ResourceID(r.getName(), pool.getMetadata().getNamespace())))
                .orElse(Set.of());
    }

    /** @param nodepool the Nodepool in the pool's namespace named by its controller reference, if it exists */
    public static Verdict judge(InstancePool pool, Optional<Nodepool> nodepool) {
        String name = pool.getMetadata().getName();
        String then = "; it runs no instances. Delete it: a Nodepool makes and owns the InstancePool it needs";
        Optional<OwnerReference> controller = nodepoolController(pool);
        if (controller.isEmpty()) {
            return new Refused("InstancePool " + name + " has no controller reference to a Nodepool" + then);
        }
        OwnerReference reference = controller.get();
        if (nodepool.isEmpty()
                || !reference.getUid().equals(nodepool.get().getMetadata().getUid())) {
            return new Refused("its controller, Nodepool " + reference.getName() + " (uid " + reference.getUid()
                    + "), does not exist in namespace " + pool.getMetadata().getNamespace() + then);
        }
        Nodepool owner = nodepool.get();
        String own = Names.instancePool(
                owner.getMetadata().getName(), owner.getMetadata().getUid());
        if (!own.equals(name)) {
            return new Refused("Nodepool " + owner.getMetadata().getName() + " makes InstancePool " + own
                    + ", not this one" + then);
        }
        if (owner.getStatus() == null || owner.getStatus().clusterUID == null || owner.getStatus().cluster == null) {
            return new Waiting(
                    "waiting for Nodepool " + owner.getMetadata().getName() + " to be accepted for a cluster");
        }
        String cluster = pool.getSpec() == null ? null : pool.getSpec().cluster;
        if (!owner.getStatus().cluster.equals(cluster)) {
            return new Refused("Nodepool " + owner.getMetadata().getName() + " belongs to cluster "
                    + owner.getStatus().cluster + ", but this InstancePool names cluster "
                    + (cluster == null ? "(none)" : cluster)
                    + then);
        }
        Optional<String> detached = detachment(owner);
        if (detached.isPresent()) {
            return new Detached(
                    owner,
                    detached.get(),
                    "cluster " + owner.getStatus().cluster + ", which Nodepool "
                            + owner.getMetadata().getName()
                            + " was accepted for, is gone: the instances are left as they are and "
                            + "join no other cluster; delete the Nodepool to remove them");
        }
        return new Owned(owner);
    }
}
