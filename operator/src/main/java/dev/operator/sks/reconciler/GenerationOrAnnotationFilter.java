package dev.operator.sks.reconciler;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates start a reconcile: JOSDK's generation-aware default (a spec change, the finalizer just added,
 * deletion), plus a change of one annotation that asks for an action and does not move the generation. Status
 * writes still start none.
 */
public abstract class GenerationOrAnnotationFilter<R extends HasMetadata> implements OnUpdateFilter<R> {
    private final String annotation;

    protected GenerationOrAnnotationFilter(String annotation) {
        this.annotation = annotation;
    }

    @Override
    public boolean accept(R newer, R older) {
        return generation(newer) > generation(older)
                || newer.isMarkedForDeletion()
                || (newer.hasFinalizer(Labels.FINALIZER) && !older.hasFinalizer(Labels.FINALIZER))
                || !Objects.equals(annotation(newer), annotation(older));
    }

    private static long generation(HasMetadata resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    private String annotation(HasMetadata resource) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(annotation);
    }
}
