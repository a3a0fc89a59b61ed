package dev.operator.sks.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import java.util.ArrayList;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An informer's store that keeps only what the operator reads. Every object arrives with {@code metadata.managedFields}
 * (one entry per field manager, each a tree of every field it set): at a thousand clusters that was most of the heap,
 * and nothing in the operator reads it from a cache (server-side apply computes ownership on the server). A store
 * may also be told to trim more of what its one reader never looks at ({@link #trimming}).
 *
 * <p>The informer hands the object it stored to the event handlers too, so what a reconcile sees is the trimmed
 * object; the API server's copy is untouched.
 *
 * <p>Only for an informer over all namespaces ({@link #forNamespaces}): JOSDK gives the one store it is configured with
 * to each of the informers it starts for a list of namespaces, so they would all list every namespace's objects (the
 * fleet metrics saw each cluster twice) and a relist of one namespace would drop the others' from the shared store.
 * The default deployment watches all namespaces; a replica told {@code --watch-namespaces} keeps the informers' own
 * stores, managed fields and all.
 */
public final class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final UnaryOperator<T> trim;

    public LeanItemStore() {
        this(UnaryOperator.identity());
    }

    private LeanItemStore(UnaryOperator<T> trim) {
        super(Cache::metaNamespaceKeyFunc);
        this.trim = trim;
    }

    /**
     * A lean store for a controller's informer over {@code namespaces} (JOSDK's effective namespaces), or null, which
     * leaves each informer its own store, when they are several informers that would share it.
     */
    public static <T extends HasMetadata> ItemStore<T> forNamespaces(Set<String> namespaces) {
        return trimmingFor(namespaces, UnaryOperator.identity());
    }

    /** As {@link #forNamespaces}, also trimming what its one reader never reads ({@link #trimming}). */
    public static <T extends HasMetadata> ItemStore<T> trimmingFor(Set<String> namespaces, UnaryOperator<T> trim) {
        return InformerConfiguration.allNamespacesWatched(namespaces) ? new LeanItemStore<>(trim) : null;
    }

    /** Also applies {@code trim} to each object stored (after managed fields are dropped): what its reader never reads. */
    public static <T extends HasMetadata> LeanItemStore<T> trimming(UnaryOperator<T> trim) {
        return new LeanItemStore<>(trim);
    }

    @Override
    public T put(String key, T object) {
        return super.put(key, lean(object));
    }

    private T lean(T object) {
        if (object.getMetadata() != null) {
            // Empty, not null: the model's own default, which a reader may iterate.
            object.getMetadata().setManagedFields(new ArrayList<>());
        }
        return trim.apply(object);
    }
}
