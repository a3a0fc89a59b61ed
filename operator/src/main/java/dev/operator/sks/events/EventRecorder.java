package dev.operator.sks.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Where the operator tells its story to {@code kubectl describe}: one Kubernetes Event per state transition and
 * refusal. Recording never blocks and never fails a reconcile; reasons are CamelCase, messages say what happened
 * and what to do, and never hold key material.
 */
public interface EventRecorder {
    /** Records nothing: for pure tests and tools that run without a server. */
    EventRecorder NONE = (regarding, type, reason, message) -> {};

    void record(HasMetadata regarding, EventType type, String reason, String message);

    default void normal(HasMetadata regarding, String reason, String message) {
        record(regarding, EventType.Normal, reason, message);
    }

    default void warning(HasMetadata regarding, String reason, String message) {
        record(regarding, EventType.Warning, reason, message);
    }
}
