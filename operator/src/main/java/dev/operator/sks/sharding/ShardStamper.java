package dev.operator.sks.sharding;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the custom resources users create to their shard: it watches those without a shard label (a server-side
 * {@code !sks.operator.dev/shard} selector, so once stamped an object costs it nothing) and patches the label
 * {@link Shards#of} its namespace. The shards' controllers then watch {@code sks.operator.dev/shard=<i>} with a
 * server-side selector, so each replica caches and reconciles only its own clusters.
 *
 * <p>Why a stamper: Kubernetes selects on labels, not on hashes of namespaces, and users create SKSClusters,
 * Nodepools and KubeconfigRequests without the label; a mutating webhook would do the same at admission but adds a
 * TLS endpoint on the write path of every create. Every replica runs the stamper, whether it leads or stands by, and
 * stamps only what its own shard serves: two replicas of a shard may both patch, to the same value, and a shard whose
 * replicas are all down leaves its objects unstamped, which nobody could serve anyway.
 *
 * <p>The label is routing, never ownership: a user can set it. A controller handed an object whose label names its
 * shard but whose namespace hashes elsewhere sends it on ({@link #restamp}) and does nothing else with it (the filter
 * {@link #admits}); the label change takes it out of this shard's watch and into the right one's.
 *
 * <p>The stamper's patches carry a field manager of their own ({@link #FIELD_MANAGER}), so the objects' managed fields
 * keep telling which replica reconciled them apart from which one routed them.
 */
public final class ShardStamper implements AutoCloseable {
    public static final String FIELD_MANAGER = "sks-operator-shard-stamper";
    static final long RESYNC_MILLIS = 30_000; // retries a patch that failed, at no cost once everything is stamped
    private static final Logger LOG = LoggerFactory.getLogger(ShardStamper.class);
    private static final List<Class<? extends HasMetadata>> ROUTED =
            List.of(SKSCluster.class, Nodepool.class, KubeconfigRequest.class, InstancePool.class);

    private final KubernetesClient client;
    private final Sharding sharding;
    private final Set<String> namespaces;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    /** @param namespaces the namespaces served; empty serves all */
    public ShardStamper(KubernetesClient client, Sharding sharding, Set<String> namespaces) {
        this.client = client;
        this.sharding = sharding;
        this.namespaces = Set.copyOf(namespaces);
    }

    /** Starts watching what lacks the label; does nothing when not sharded. */
    public synchronized void start() {
        if (!sharding.enabled() || !informers.isEmpty()) {
            return;
        }
        for (Class<? extends HasMetadata> type : ROUTED) {
            if (namespaces.isEmpty()) {
                informers.add(inform(type, null));
            } else {
                namespaces.forEach(namespace -> informers.add(inform(type, namespace)));
            }
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> type, String namespace) {
        var resources = namespace == null
                ? client.resources(type).inAnyNamespace()
                : client.resources(type).inNamespace(namespace);
        return resources.withoutLabel(Labels.SHARD).inform(new Unlabelled<>(), RESYNC_MILLIS);
    }

    /**
     * A controller's filter: true for what its shard serves; a resource whose label names this shard wrongly is sent
     * to its namespace's shard instead, and not reconciled here.
     */
    public boolean admits(HasMetadata resource) {
        if (sharding.labelledRightly(resource)) {
            return true;
        }
        restamp(resource);
        return false;
    }

    /** Patches {@code resource}'s shard label to its namespace's shard. Never throws: a resync or event retries. */
    public void restamp(HasMetadata resource) {
        String shard = sharding.labelFor(resource);
        String patch = "{\"metadata\":{\"labels\":{\"" + Labels.SHARD + "\":\"" + shard + "\"}}}";
        try {
            client.resources(resource.getClass())
                    .inNamespace(resource.getMetadata().getNamespace())
                    .withName(resource.getMetadata().getName())
                    .patch(
                            new PatchContext.Builder()
                                    .withPatchType(PatchType.JSON_MERGE)
                                    .withFieldManager(FIELD_MANAGER)
                                    .build(),
                            patch);
            LOG.debug(
                    "routed {} {}/{} to shard {}",
                    resource.getKind(),
                    resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(),
                    shard);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) { // gone meanwhile: nothing to route
                LOG.warn(
                        "could not route {} {}/{} to shard {} (HTTP {}); retried on the next resync",
                        resource.getKind(),
                        resource.getMetadata().getNamespace(),
                        resource.getMetadata().getName(),
                        shard,
                        e.getCode());
            }
        }
    }

    /**
     * Adopts into this shard an object the caller has checked it controls (a controller reference to its owner's UID):
     * one written before sharding was turned on lacks the label, so the shard-selected informers never see it, and a
     * replica that only looked at its cache would try to create it again (409) or read it afresh on every reconcile.
     * Patching the label (and nothing else) brings it into the cache. Never call it on an object because of its name
     * or labels alone: the label moves an object into a replica's cache, where it is read as the operator's own.
     *
     * @return the object as patched, or {@code owned} itself when not sharded or already labelled for its shard
     */
    public static <T extends HasMetadata> T adopt(KubernetesClient client, Sharding sharding, T owned) {
        if (!sharding.enabled() || sharding.labelledRightly(owned)) {
            return owned;
        }
        String patch = "{\"metadata\":{\"labels\":{\"" + Labels.SHARD + "\":\"" + sharding.labelFor(owned) + "\"}}}";
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) owned.getClass();
        T patched = client.resources(type)
                .inNamespace(owned.getMetadata().getNamespace())
                .withName(owned.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        LOG.info(
                "adopted {} {}/{}, written before sharding, into shard {}",
                owned.getKind(),
                owned.getMetadata().getNamespace(),
                owned.getMetadata().getName(),
                sharding.labelFor(owned));
        return patched;
    }

    private final class Unlabelled<T extends HasMetadata> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T resource) {
            stampOwn(resource);
        }

        @Override
        public void onUpdate(T old, T resource) {
            stampOwn(resource);
        }

        @Override
        public void onDelete(T resource, boolean deletedFinalStateUnknown) {}

        private void stampOwn(T resource) {
            if (sharding.owns(resource.getMetadata().getNamespace()) && !sharding.labelledRightly(resource)) {
                restamp(resource);
            }
        }
    }

    @Override
    public synchronized void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
