package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.sharding.ShardStamper;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one way the cluster reconciler reads and writes the objects it owns in the management cluster. An object is
 * read from the informer cache, used only when it carries a controller reference to the cluster's UID (a same-named
 * object without it is a {@link NameConflict}: never adopted, changed or deleted), and written only when it differs
 * from the desired object in a field the operator sets ({@link DesiredFields}), so a hand edit is repaired and an
 * object that says what it should costs no request. Writes are server-side applies with the operator's field
 * manager, forced: the operator owns these fields. An object the cache does not hold is created, never applied, so a
 * same-named object the informer did not see (it watches labelled objects only) makes the create fail instead of
 * being taken over.
 *
 * <p>Sharded, every object written carries its namespace's shard label ({@link Sharding#stamp}), which the
 * informers select on. One this cluster controls that lacks it (written before sharding was turned on) is invisible
 * to them: the first live read of it, after a cache miss or a refused create, relabels it ({@link ShardStamper#adopt})
 * once its controller reference to this cluster's UID is checked, never on its name alone.
 *
 * <p>Why not JOSDK dependent resources with a workflow: {@code KubernetesDependentResource} server-side applies over
 * any object of the same name, without looking at its owner; the operator would silently take over (and later
 * delete) a Secret, Service or ConfigMap a user made first, and issue certificates from a CA it did not make. The
 * ownership check has to come before every write, and PKI issuance and etcd membership are ordered, one-time steps
 * that do not fit a desired-state dependent anyway; what remains is this small class.
 */
final class OwnedObjects {
    static final String DRIFT_REPAIRED = "DriftRepaired";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** A kind and name the cluster wants, before its object is rendered. */
    record Wanted(Class<? extends HasMetadata> type, String name) {
        static Wanted of(HasMetadata object) {
            return new Wanted(object.getClass(), object.getMetadata().getName());
        }
    }

    /** What {@link #apply} did. */
    enum Write {
        NONE,
        CREATED,
        UPDATED,
        RESTORED
    }

    private final KubernetesClient client;
    private final ObjectCache cache;
    private final SKSCluster owner;
    private final EventRecorder events;
    private final Sharding sharding;
    private final UnwatchedNames unwatched;
    /**
     * What {@link #fresh} read from the API server during this reconcile (an instance lives for one), by kind and
     * name, kept up to date with this reconcile's own writes. The conflict check reads every name the cache lacks, and
     * the PKI reads the same names again before making key material: the second read would only repeat the first,
     * since the writes that follow are creates (refused if the name was taken meanwhile) or updates at the
     * resourceVersion read. At one cluster's first reconcile that was 25 of its 41 GETs of Secrets.
     */
    private final Map<Wanted, Optional<HasMetadata>> read = new HashMap<>();

    /** @param unwatched shared by every reconcile: what the informers cannot see of a namespace, listed now and then */
    OwnedObjects(
            KubernetesClient client,
            ObjectCache cache,
            UnwatchedNames unwatched,
            SKSCluster owner,
            EventRecorder events,
            Sharding sharding) {
        this.sharding = sharding;
        this.unwatched = unwatched;
        this.client = client;
        this.cache = cache;
        this.owner = owner;
        this.events = events;
    }

    SKSCluster owner() {
        return owner;
    }

    /** The object as the informer sees it, when this cluster controls it; a conflict when another object has the name. */
    <T extends HasMetadata> Optional<T> cached(Class<T> type, String name) {
        return cache.get(type, namespace(), name).map(this::owned);
    }

    /** A live read, for the moment before writing key material: the cache may lag behind another writer. */
    <T extends HasMetadata> Optional<T> fresh(Class<T> type, String name) {
        Wanted key = new Wanted(type, name);
        Optional<HasMetadata> known = read.get(key);
        if (known == null) {
            known = Optional.ofNullable(reread(type, name));
            read.put(key, known);
        }
        return known.map(type::cast).map(this::owned);
    }

    /** Read from the API server whatever this reconcile read before: after a write was refused, say. */
    private <T extends HasMetadata> T reread(Class<T> type, String name) {
        T object =
                client.resources(type).inNamespace(namespace()).withName(name).get();
        if (object != null && NameConflict.of(object, owner).isEmpty()) {
            object = ShardStamper.adopt(client, sharding, object);
        }
        read.put(new Wanted(type, name), Optional.ofNullable(object));
        return object;
    }

    /** Remembers this reconcile's own write, so a later {@link #fresh} read of that name sees it. */
    private <T extends HasMetadata> T wrote(T written) {
        read.put(Wanted.of(written), Optional.of(written));
        return written;
    }

    /** From the cache, and from the API server only when the cache holds nothing of that name. */
    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        Optional<T> cached = cached(type, name);
        return cached.isPresent() ? cached : fresh(type, name);
    }

    /**
     * Objects of {@code type} labelled as this cluster's ({@link Labels#CLUSTER}) as the informer sees them, whoever
     * owns them.
     */
    <T extends HasMetadata> List<T> listCachedOfCluster(Class<T> type) {
        return cache.listOfCluster(type, namespace(), owner.getMetadata().getName())
                .toList();
    }

    /**
     * Every wanted name taken by an object this cluster does not control. Asks the API server only for names the cache
     * does not hold: nothing once the cluster's objects exist.
     */
    List<NameConflict> conflicts(Collection<Wanted> wanted) {
        readMissing(wanted);
        List<NameConflict> conflicts = new ArrayList<>();
        for (Wanted one : wanted) {
            try {
                find(one.type(), one.name());
            } catch (NameConflictException e) {
                conflicts.add(e.conflict());
            }
        }
        return conflicts;
    }

    /**
     * Settles without a request each name the cache lacks that no one else's object has either. The informer holds
     * every object labelled managed-by the operator, and {@link UnwatchedNames} the names of the others (someone
     * else's, which a name may collide with), listed once for every cluster reconciled in the namespace within a few
     * seconds: a new cluster lacks all 25 of its names, which were 25 GETs, then 4 lists of its own. A name taken in
     * that list is left to a live read; a labelled object the informer has not seen yet is missed here, and then found
     * by the create it makes fail (409: read, and refused unless owned).
     */
    private void readMissing(Collection<Wanted> wanted) {
        for (Wanted one : wanted) {
            if (cache.watches(one.type())
                    && !read.containsKey(one)
                    && cache.get(one.type(), namespace(), one.name()).isEmpty()
                    && unwatched.free(client, one.type(), namespace(), one.name())) {
                read.put(one, Optional.empty());
            }
        }
    }

    /** Creates {@code object}; when one of that name appeared meanwhile, that one, if this cluster controls it. */
    <T extends HasMetadata> T create(T object) {
        sharding.stamp(object);
        try {
            T created = wrote(client.resource(object).create());
            cache.written(created, null);
            return created;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                @SuppressWarnings("unchecked")
                Class<T> type = (Class<T>) object.getClass();
                reread(type, object.getMetadata().getName());
                return fresh(type, object.getMetadata().getName()).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /** Replaces {@code current} (read fresh, controlled by this cluster) with {@code object}, at its resourceVersion. */
    <T extends HasMetadata> T replace(T object, T current) {
        owned(current);
        sharding.stamp(object);
        object.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        T written = wrote(client.resource(object).update());
        cache.written(written, current);
        return written;
    }

    /**
     * Makes the object say what {@code desired} says, writing only when it does not. A difference while the object
     * still carries the digest of this very desired object means someone changed it by hand: it is restored and told
     * as an Event.
     */
    Write apply(HasMetadata desired) {
        sharding.stamp(desired);
        String digest = Digests.sha256Hex(SERIALIZATION.asJson(desired), 16);
        Map<String, String> annotations = new LinkedHashMap<>(
                desired.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : desired.getMetadata().getAnnotations());
        annotations.put(Labels.APPLIED_DIGEST_ANNOTATION, digest);
        desired.getMetadata().setAnnotations(annotations);
        Optional<? extends HasMetadata> observed =
                cached(desired.getClass(), desired.getMetadata().getName());
        if (observed.isEmpty()) {
            try {
                cache.written(wrote(client.resource(desired).create()), null);
                return Write.CREATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // Made meanwhile: by this operator (the cache lags), or by someone else (a conflict, thrown by fresh).
                reread(desired.getClass(), desired.getMetadata().getName());
                observed = Optional.of(
                        fresh(desired.getClass(), desired.getMetadata().getName())
                                .orElseThrow(() -> e));
            }
        }
        if (DesiredFields.satisfiedBy(desired, observed.get())) {
            return Write.NONE;
        }
        HasMetadata written = wrote(client.resource(desired)
                .fieldManager(Labels.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply());
        cache.written(written, observed.get());
        Map<String, String> was = observed.get().getMetadata().getAnnotations();
        if (was != null && digest.equals(was.get(Labels.APPLIED_DIGEST_ANNOTATION))) {
            events.warning(
                    owner,
                    DRIFT_REPAIRED,
                    ClusterEvents.restored(
                            desired.getKind(), desired.getMetadata().getName()));
            return Write.RESTORED;
        }
        return Write.UPDATED;
    }

    /**
     * Deletes the object of that name when the informer sees it and this cluster controls it. One that anyone else made
     * under the name is left alone, and nothing is asked of the API server when the cache holds nothing.
     */
    <T extends HasMetadata> void deleteOwned(Class<T> type, String name) {
        Optional<T> seen = cache.get(type, namespace(), name);
        if (seen.isPresent() && NameConflict.of(seen.get(), owner).isEmpty()) {
            client.resource(seen.get()).delete();
        }
    }

    private <T extends HasMetadata> T owned(T object) {
        Optional<NameConflict> conflict = NameConflict.of(object, owner);
        if (conflict.isPresent()) {
            throw new NameConflictException(conflict.get());
        }
        return object;
    }

    private String namespace() {
        return owner.getMetadata().getNamespace();
    }
}
