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
        return controllerReferenceTo(cluster);
    }

    /** The controller reference to any object of the same namespace (a KubeconfigRequest owns its Secret). */
    public static OwnerReference controllerReferenceTo(HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            throw new IllegalArgumentException(
                    owner.getKind() + " " + owner.getMetadata().getName()
                            + " has no uid: owner references need the object as read from the API server");
        }
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(uid)
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Whether {@code owner} is the controller of {@code object} (same uid, so a re-created owner is another one). */
    public static boolean isControlledBy(HasMetadata object, HasMetadata owner) {
        return object.getMetadata().getOwnerReferences() != null
                && object.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                && owner.getMetadata().getUid() != null
                                && owner.getMetadata().getUid().equals(r.getUid()));
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
