package dev.operator.sks.rendering;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Owner references and metadata of every object made for a cluster: same namespace, owned, labelled. */
public final class Owners {
  private Owners() {}

  /** The controller reference to the SKSCluster: deleting the cluster deletes the object. */
  public static OwnerReference controllerReference(SKSCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    if (uid == null || uid.isBlank()) {
      throw new IllegalArgumentException("SKSCluster " + cluster.getMetadata().getName()
          + " has no uid: owner references need the object as read from the API server");
    }
    return new OwnerReferenceBuilder()
        .withApiVersion(HasMetadata.getApiVersion(SKSCluster.class))
        .withKind(HasMetadata.getKind(SKSCluster.class))
        .withName(cluster.getMetadata().getName())
        .withUid(uid)
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Metadata of an object named {@code name} for one component of the cluster. */
  public static ObjectMeta metadata(SKSCluster cluster, String name, ControlPlaneComponent component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.forComponent(cluster.getMetadata().getName(), component.label()))
        .withOwnerReferences(controllerReference(cluster))
        .build();
  }
}
