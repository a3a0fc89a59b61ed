package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.List;

/**
 * Deletes a cluster in order: its nodepools first (their machines must leave while the control plane still
 * answers), then everything made for the control plane, including the etcd volumes that a StatefulSet leaves
 * behind. Owner references would let the garbage collector do the second step, but the volumes are not owned,
 * and deleting explicitly does not depend on a garbage collector being there.
 */
final class ClusterTeardown {
  private final KubernetesClient client;

  ClusterTeardown(KubernetesClient client) {
    this.client = client;
  }

  /** Asks for the deletion of the cluster's nodepools; true once none is left. */
  boolean nodepoolsGone(SKSCluster cluster) {
    String namespace = cluster.getMetadata().getNamespace();
    List<Nodepool> nodepools = client.resources(Nodepool.class).inNamespace(namespace).list().getItems().stream()
        .filter(np -> np.getSpec() != null && cluster.getMetadata().getName().equals(np.getSpec().cluster))
        .toList();
    nodepools.stream().filter(np -> np.getMetadata().getDeletionTimestamp() == null)
        .forEach(np -> client.resource(np).delete());
    return nodepools.isEmpty();
  }

  /** Deletes every object labelled for the cluster, of each kind the operator makes. */
  void deleteControlPlane(SKSCluster cluster) {
    String namespace = cluster.getMetadata().getNamespace();
    String selector = cluster.getMetadata().getName();
    deleteEach(client.apps().deployments().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    deleteEach(client.apps().statefulSets().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    deleteEach(client.services().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    deleteEach(client.configMaps().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    deleteEach(client.secrets().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    deleteEach(client.persistentVolumeClaims().inNamespace(namespace).withLabel(Labels.CLUSTER, selector));
    if (OptionalApis.podDisruptionBudgetsServed(client)) {
      deleteEach(client.policy().v1().podDisruptionBudget().inNamespace(namespace).withLabel(Labels.CLUSTER,
          selector));
    }
  }

  /** One delete per object: deletecollection would be one more verb in the operator's RBAC for no gain. */
  private static <T extends HasMetadata> void deleteEach(FilterWatchListDeletable<T, ?, ? extends Resource<T>> selected) {
    selected.resources().forEach(Resource::delete);
  }
}
