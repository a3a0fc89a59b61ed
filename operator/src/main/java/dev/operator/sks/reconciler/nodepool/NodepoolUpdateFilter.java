package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.GenerationOrAnnotationFilter;

/** A nodepool also reconciles when its evict annotation changes. */
public class NodepoolUpdateFilter extends GenerationOrAnnotationFilter<Nodepool> {
    public NodepoolUpdateFilter() {
        super(Labels.EVICT_ANNOTATION);
    }
}
