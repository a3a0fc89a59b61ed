package dev.operator.sks.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.function.UnaryOperator;

/**
 * An informer's store that keeps only what the operator reads. Every object arrives with {@code metadata.managedFields}
 * (one entry per field manager, each a tree of every field it set): at a thousand clusters that was most of the heap,
 * and nothing in the operator reads it from a cache (server-side apply computes ownership on the server). A store
 * may also be told to trim more of what its one reader never looks at ({@link #trimming}).
 *
 * <p>The informer hands the object it stored to the event handlers too, so what a reconcile sees is the trimmed
 * object; the API server's copy is untouched.
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
