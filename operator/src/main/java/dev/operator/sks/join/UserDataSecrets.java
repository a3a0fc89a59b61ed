package dev.operator.sks.join;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.sharding.ShardStamper;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes an instance pool's user-data Secret ({@link Names#userData}, key {@link Names#USER_DATA_KEY}), and only when
 * its content changed, so an unchanged render costs one read and no event for watchers. A same-named Secret that the
 * owner does not control is someone else's: it is never overwritten ({@link NameConflictException}), since a pool
 * booting from it would run whatever it says.
 */
public final class UserDataSecrets {
    /** The outcome of a write: the Secret's name, whether anything was written, and a digest of the user-data. */
    public record Written(String secretName, boolean changed, String digest) {}

    private final KubernetesClient client;
    private final SecretLookup cache;
    private final Sharding sharding;

    public UserDataSecrets(KubernetesClient management) {
        this(management, SecretLookup.live(management));
    }

    /** @param cache where the Secret is read first: an unchanged one costs no request; a write reads it afresh */
    public UserDataSecrets(KubernetesClient management, SecretLookup cache) {
        this(management, cache, Sharding.NONE);
    }

    /**
     * @param sharding sharded, the Secret carries its shard label, and one the pool controls that lacks it (written
     *                 before sharding) is relabelled when read
     */
    public UserDataSecrets(KubernetesClient management, SecretLookup cache, Sharding sharding) {
        this.cache = cache;
        this.client = management;
        this.sharding = sharding;
    }

    /**
     * @param namespace    the namespace of the cluster and the pool
     * @param cluster      the SKSCluster's name (for labels)
     * @param instancePool the InstancePool's name; the Secret is {@code Names.userData(instancePool)}
     * @param owner        the owner reference the Secret carries (the InstancePool's), so it goes with the pool
     * @param userData     the rendered user-data
     * @throws NameConflictException when a Secret of that name exists without a controller reference to {@code owner}
     */
    public Written write(String namespace, String cluster, String instancePool, OwnerReference owner, String userData) {
        return write(namespace, cluster, instancePool, owner, userData, null);
    }

    /**
     * @param revision the machine revision the user-data is rendered for (the InstancePool's {@code spec.revision}),
     *                 kept in {@link Labels#USER_DATA_REVISION_ANNOTATION}; null: none is recorded
     */
    public Written write(
            String namespace,
            String cluster,
            String instancePool,
            OwnerReference owner,
            String userData,
            String revision) {
        Objects.requireNonNull(owner, "owner");
        String name = Names.userData(instancePool);
        Secret desired = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels(cluster, instancePool))
                .withAnnotations(revision == null ? null : Map.of(Labels.USER_DATA_REVISION_ANNOTATION, revision))
                .withOwnerReferences(owner)
                .endMetadata()
                .withType("Opaque")
                .withData(SecretData.encode(Map.of(Names.USER_DATA_KEY, userData)))
                .build();
        sharding.stamp(desired);
        String digest = UserDataRenderer.digest(userData);
        Optional<Secret> cached = cache.find(namespace, name);
        if (cached.isPresent()
                && isControlledBy(cached.get(), owner)
                && sharding.stamped(cached.get())
                && isUpToDate(cached.get(), desired)) {
            return new Written(name, false, digest);
        }
        Secret current = client.secrets().inNamespace(namespace).withName(name).get();
        if (current == null) {
            try {
                client.resource(desired).create();
                return new Written(name, true, digest);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // Another reconcile made it meanwhile: compare with theirs.
                current = client.secrets().inNamespace(namespace).withName(name).get();
                if (current == null) {
                    throw e;
                }
            }
        }
        if (!isControlledBy(current, owner)) {
            throw new NameConflictException(new NameConflict("Secret", name));
        }
        current = ShardStamper.adopt(client, sharding, current);
        if (isUpToDate(current, desired)) {
            return new Written(name, false, digest);
        }
        desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        // A 409 here means someone else wrote it since the read: the caller's next reconcile compares again.
        client.resource(desired).update();
        return new Written(name, true, digest);
    }

    private static boolean isUpToDate(Secret current, Secret desired) {
        return Objects.equals(current.getData(), desired.getData())
                && Objects.equals(current.getType(), desired.getType())
                && Objects.equals(revision(current), revision(desired))
                && ownersMatch(
                        current.getMetadata().getOwnerReferences(),
                        desired.getMetadata().getOwnerReferences())
                && current.getMetadata().getLabels() != null
                && current.getMetadata()
                        .getLabels()
                        .entrySet()
                        .containsAll(desired.getMetadata().getLabels().entrySet());
    }

    /** By UID: a Secret made for an earlier pool of the same name belongs to that pool, not to this one. */
    static boolean isControlledBy(Secret secret, OwnerReference owner) {
        List<OwnerReference> owners = secret.getMetadata().getOwnerReferences();
        return owners != null
                && owners.stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                && owner.getUid() != null
                                && owner.getUid().equals(r.getUid()));
    }

    private static boolean ownersMatch(List<OwnerReference> current, List<OwnerReference> desired) {
        if (current == null || current.size() != desired.size()) {
            return false;
        }
        for (int i = 0; i < desired.size(); i++) {
            if (!Objects.equals(current.get(i).getUid(), desired.get(i).getUid())) {
                return false;
            }
        }
        return true;
    }

    /** The machine revision a user-data Secret was rendered for, if it says. */
    public static Optional<String> revision(Secret secret) {
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(Labels.USER_DATA_REVISION_ANNOTATION));
    }

    private static Map<String, String> labels(String cluster, String instancePool) {
        Map<String, String> labels = Labels.forComponent(cluster, Labels.JOIN_COMPONENT);
        labels.put(Labels.INSTANCE_POOL, Labels.value(instancePool));
        return labels;
    }
}
