package dev.operator.sks.status;

import dev.operator.sks.events.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one way the reconcilers write status. A status is written only when it differs from what the resource holds
 * (server-side apply of a status-only object, {@link StatusPatches#statusOnly}), and every condition that moved is
 * told as an Event ({@link ConditionEvents}), so the status and the story cannot disagree. A reconcile that ends in an
 * exception gets {@code Ready=False} with reason {@code ReconcileError} and a Warning Event.
 *
 * @param <S> the status type
 * @param <R> the resource type
 */
public final class StatusWriter<S, R extends CustomResource<?, S>> {
    public static final String RECONCILE_ERROR = "ReconcileError";

    private final Class<S> statusType;
    private final Supplier<S> emptyStatus;
    private final Supplier<R> emptyResource;
    private final Function<S, List<Condition>> conditions;
    private final EventRecorder events;
    private final Clock clock;

    public StatusWriter(
            Class<S> statusType,
            Supplier<S> emptyStatus,
            Supplier<R> emptyResource,
            Function<S, List<Condition>> conditions,
            EventRecorder events,
            Clock clock) {
        this.statusType = statusType;
        this.emptyStatus = emptyStatus;
        this.emptyResource = emptyResource;
        this.conditions = conditions;
        this.events = events;
        this.clock = clock;
    }

    /** A copy of the resource's status to change, never the informer's cached object. */
    public S copy(R resource) {
        return StatusPatches.copy(resource.getStatus(), statusType, emptyStatus);
    }

    /** Writes {@code status} when it differs from the resource's, and tells what moved as Events. */
    public UpdateControl<R> write(R resource, S status) {
        if (!StatusPatches.differ(resource.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        tell(resource, status);
        return UpdateControl.patchStatus(StatusPatches.statusOnly(resource, status, emptyResource));
    }

    /** Ready=False with the exception's message (our exceptions carry no key material), and a Warning Event. */
    public ErrorStatusUpdateControl<R> error(R resource, Exception e) {
        S status = copy(resource);
        Conditions.set(
                conditions.apply(status),
                Conditions.READY,
                false,
                RECONCILE_ERROR,
                StatusPatches.describe(e),
                resource.getMetadata().getGeneration(),
                clock);
        if (!StatusPatches.differ(resource.getStatus(), status)) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        tell(resource, status);
        return ErrorStatusUpdateControl.patchStatus(StatusPatches.statusOnly(resource, status, emptyResource));
    }

    private void tell(R resource, S status) {
        List<Condition> before = resource.getStatus() == null ? List.of() : conditions.apply(resource.getStatus());
        for (ConditionEvents.Transition transition : ConditionEvents.between(before, conditions.apply(status))) {
            events.record(resource, transition.type(), transition.reason(), transition.message());
        }
    }
}
