package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.GenerationOrAnnotationFilter;

/** An instance pool also reconciles when the simulated provider's stop-heartbeats switch changes. */
public class InstancePoolUpdateFilter extends GenerationOrAnnotationFilter<InstancePool> {
    public InstancePoolUpdateFilter() {
        super(Labels.STOP_HEARTBEATS_ANNOTATION);
    }
}
