package dev.operator.sks.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * JOSDK's metrics (delegated, e.g. to its Micrometer support) plus what the operator adds about itself: reconcile
 * errors by kind and bounded reason ({@code sks_reconcile_errors_total}), counted where JOSDK reports every failed
 * reconcile of every controller, and whether this replica leads ({@code sks_operator_leader}).
 */
public final class OperatorMetrics implements Metrics {
    private final Metrics delegate;
    private final MeterRegistry registry;
    private final AtomicBoolean leader = new AtomicBoolean();

    public OperatorMetrics(Metrics delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        Gauge.builder(FleetMetrics.LEADER, leader, l -> l.get() ? 1 : 0)
                .description("1 while this replica runs the controllers (leads, or leader election is off), else 0")
                .strongReference(true)
                .register(registry);
        // Every kind and reason at 0 from the start: an alert on increase() then sees the first error too.
        for (String kind : new String[] {"SKSCluster", "Nodepool", "KubeconfigRequest", "InstancePool"}) {
            for (String reason : ReconcileErrors.REASONS) {
                errors(kind, reason);
            }
        }
    }

    /** This replica started (true) or stopped (false) running the controllers. */
    public void leading(boolean leading) {
        leader.set(leading);
    }

    private Counter errors(String kind, String reason) {
        return Counter.builder(FleetMetrics.RECONCILE_ERRORS)
                .description("Reconciles that ended in an error, by resource kind and reason")
                .tag("kind", kind)
                .tag("reason", reason)
                .register(registry);
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        errors(resource.getKind() == null ? "Unknown" : resource.getKind(), ReconcileErrors.reason(exception))
                .increment();
        delegate.failedReconciliation(resource, exception, metadata);
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
        delegate.controllerRegistered(controller);
    }

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
        delegate.receivedEvent(event, metadata);
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        delegate.reconcileCustomResource(resource, retryInfo, metadata);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        delegate.reconciliationExecutionStarted(resource, metadata);
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        delegate.reconciliationExecutionFinished(resource, metadata);
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        delegate.cleanupDoneFor(resourceID, metadata);
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        delegate.finishedReconciliation(resource, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        return delegate.timeControllerExecution(execution);
    }

    @Override
    public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
        return delegate.monitorSizeOf(map, name);
    }
}
