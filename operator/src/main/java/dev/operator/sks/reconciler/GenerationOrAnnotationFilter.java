package dev.operator.sks.reconciler;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates start a reconcile: JOSDK's generation-aware default (a spec change, the finalizer just added,
 * deletion), plus a change of an annotation that asks for an action and does not move the generation. Status
 * writes still start none.
 */
public abstract class GenerationOrAnnotationFilter<R extends HasMetadata> implements OnUpdateFilter<R> {
    private final List<String> annotations;

    protected GenerationOrAnnotationFilter(String... annotations) {
        this.annotations = List.of(annotations);
    }

    @Override
    public boolean accept(R newer, R older) {
        return generation(newer) > generation(older)
                || newer.isMarkedForDeletion()
                || (newer.hasFinalizer(Labels.FINALIZER) && !older.hasFinalizer(Labels.FINALIZER))
                || annotations.stream().anyMatch(a -> !Objects.equals(annotation(newer, a), annotation(older, a)));
    }

    private static long generation(HasMetadata resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    private static String annotation(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
