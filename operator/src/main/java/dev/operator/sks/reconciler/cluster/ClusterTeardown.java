package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Deletes a cluster in order: its nodepools first (their machines must leave while the control plane still
 * answers), then everything made for the control plane, including the etcd volumes that a StatefulSet leaves
 * behind. What is deleted follows ownership only: objects with a controller reference to the cluster's UID, and
 * nodepools whose status records that UID. Never a label (anyone can set one, and a long cluster name is no valid
 * label value) and never a nodepool's current spec.cluster (a pool edited to name this cluster belongs to another).
 * Owner references would let the garbage collector do the second step, but the volumes are not owned, and deleting
 * explicitly does not depend on a garbage collector being there.
 */
final class ClusterTeardown {
    private final KubernetesClient client;
    private final boolean budgetsServed;

    /** @param budgetsServed whether the management cluster serves policy/v1 PodDisruptionBudget */
    ClusterTeardown(KubernetesClient client, boolean budgetsServed) {
        this.client = client;
        this.budgetsServed = budgetsServed;
    }

    /** Asks for the deletion of the cluster's nodepools; true once none is left. */
    boolean nodepoolsGone(SKSCluster cluster) {
        String uid = cluster.getMetadata().getUid();
        List<Nodepool> nodepools = list(Nodepool.class, cluster).stream()
                .filter(np -> np.getStatus() != null && uid != null && uid.equals(np.getStatus().clusterUID))
                .toList();
        nodepools.stream()
                .filter(np -> np.getMetadata().getDeletionTimestamp() == null)
                .forEach(np -> client.resource(np).delete());
        return nodepools.isEmpty();
    }

    /** Deletes every object the cluster controls, of each kind the operator makes, and its etcd members' volumes. */
    void deleteControlPlane(SKSCluster cluster) {
        List<StatefulSet> statefulSets = owned(StatefulSet.class, cluster);
        // The volumes go before their StatefulSet: were the teardown cut short after it, the StatefulSet's creation
        // time, which proves which claims were made for it, would be gone with it.
        statefulSets.stream()
                .filter(s -> s.getMetadata()
                        .getName()
                        .equals(Names.etcdStatefulSet(cluster.getMetadata().getName())))
                .findFirst()
                .ifPresent(etcd -> deleteClaimsOf(cluster, etcd));
        List<HasMetadata> doomed = new ArrayList<>();
        doomed.addAll(owned(Deployment.class, cluster));
        doomed.addAll(statefulSets);
        doomed.addAll(owned(Service.class, cluster));
        doomed.addAll(owned(ConfigMap.class, cluster));
        doomed.addAll(owned(Secret.class, cluster));
        if (budgetsServed) {
            doomed.addAll(owned(PodDisruptionBudget.class, cluster));
        }
        // One delete per object: deletecollection would be one more verb in the operator's RBAC for no gain.
        doomed.forEach(o -> client.resource(o).delete());
    }

    /**
     * The etcd members' claims, which the StatefulSet controller makes from the volume claim template and never owns
     * by reference: only those named for this cluster's StatefulSet ({@link Names#etcdDataClaim}), and only those made
     * at or after that StatefulSet was. A claim older than the StatefulSet was not made for it (someone made it
     * first, with the name the StatefulSet would have used) and is not the operator's to delete.
     */
    private void deleteClaimsOf(SKSCluster cluster, StatefulSet etcd) {
        Instant born = Instant.parse(etcd.getMetadata().getCreationTimestamp());
        String name = cluster.getMetadata().getName();
        for (PersistentVolumeClaim claim : list(PersistentVolumeClaim.class, cluster)) {
            boolean named = ordinal(claim.getMetadata().getName())
                    .filter(o -> Names.etcdDataClaim(name, o)
                            .equals(claim.getMetadata().getName()))
                    .isPresent();
            if (named
                    && !Instant.parse(claim.getMetadata().getCreationTimestamp())
                            .isBefore(born)) {
                client.resource(claim).delete();
            }
        }
    }

    /** The member ordinal a claim name ends in, when it has the form of {@link Names#etcdDataClaim}. */
    private static Optional<Integer> ordinal(String claim) {
        int dash = claim.lastIndexOf('-');
        if (dash < 0 || dash == claim.length() - 1 || claim.length() - dash > 6) {
            return Optional.empty();
        }
        String digits = claim.substring(dash + 1);
        return digits.chars().allMatch(Character::isDigit) ? Optional.of(Integer.parseInt(digits)) : Optional.empty();
    }

    private <T extends HasMetadata> List<T> owned(Class<T> type, SKSCluster cluster) {
        return list(type, cluster).stream()
                .filter(o -> Owners.isControlledBy(o, cluster))
                .toList();
    }

    private <T extends HasMetadata> List<T> list(Class<T> type, SKSCluster cluster) {
        return client.resources(type)
                .inNamespace(cluster.getMetadata().getNamespace())
                .list()
                .getItems();
    }
}
