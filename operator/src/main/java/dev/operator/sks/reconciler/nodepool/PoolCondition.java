package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * One condition as a pure function words it (type, status, reason, message), without the time and generation only a
 * reconcile knows: what the Nodepool's and the InstancePool's status functions return.
 */
public record PoolCondition(String type, boolean status, String reason, String message) {
    public PoolCondition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    public static PoolCondition isTrue(String type, String reason, String message) {
        return new PoolCondition(type, true, reason, message);
    }

    public static PoolCondition isFalse(String type, String reason, String message) {
        return new PoolCondition(type, false, reason, message);
    }

    /** Sets it in {@code conditions}, keeping the transition time when the status stays. */
    public void setIn(List<Condition> conditions, Long observedGeneration, Clock clock) {
        Conditions.set(conditions, type, status, reason, message, observedGeneration, clock);
    }
}
