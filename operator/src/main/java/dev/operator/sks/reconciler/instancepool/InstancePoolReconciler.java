package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderMessages;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.reconciler.instancepool.InstancePoolReport.Absent;
import dev.operator.sks.reconciler.instancepool.InstancePoolReport.Present;
import dev.operator.sks.reconciler.nodepool.PoolCondition;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.support.Durations;
import dev.operator.sks.tenant.KubeletServingApprover;
import dev.operator.sks.tenant.NodeProof;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drives an InstancePool's machines through the configured ComputeProvider: evictions by name first, then the
 * size, then the status lists what exists. Only a Nodepool's own pool reaches the provider ({@link PoolOwnership}),
 * booting only from a user-data Secret the pool controls. Provider trouble is a condition, a Warning Event and a
 * bounded retry, never a hot loop.
 */
@ControllerConfiguration(
        name = "instancepool",
        finalizerName = Labels.FINALIZER,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = InstancePoolUpdateFilter.class))
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {
    static final Duration PROVIDER_RETRY = Duration.ofSeconds(30);
    static final Duration STARTING_POLL = Duration.ofSeconds(2);

    private final OperatorServices services;
    private final ComputeProvider provider;
    private final PoolNodes nodes; // the instances' tenant Nodes: played for simulated instances, read for real ones
    private final Optional<KubeletServingApprover> servingApprover; // for real machines' kubelets
    private final EventRecorder events;
    private final Clock clock;
    private final StatusWriter<InstancePoolStatus, InstancePool> statusWriter;

    public InstancePoolReconciler(
            OperatorServices services,
            ComputeProvider provider,
            PoolNodes nodes,
            KubeletServingApprover servingApprover,
            EventRecorder events) {
        this.statusWriter = new StatusWriter<>(
                InstancePoolStatus.class,
                InstancePoolStatus::new,
                InstancePool::new,
                s -> s.conditions,
                events,
                services.clock());
        this.services = services;
        this.provider = provider;
        this.nodes = nodes;
        // Only real machines run kubelets that ask for serving certificates.
        this.servingApprover = nodes.simulating() ? Optional.empty() : Optional.ofNullable(servingApprover);
        this.events = events;
        this.clock = services.clock();
    }

    /** The user-data Secret and the owning Nodepool wake a pool: {@link InstancePoolEventSources}. */
    @Override
    public List<EventSource<?, InstancePool>> prepareEventSources(EventSourceContext<InstancePool> context) {
        return InstancePoolEventSources.of(context, services.config().sharding());
    }

    @Override
    public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
        InstancePoolStatus status = statusWriter.copy(pool);
        Long generation = pool.getMetadata().getGeneration();
        status.observedGeneration = generation;
        PoolOwnership.Verdict verdict = PoolOwnership.judge(pool, context.getSecondaryResource(Nodepool.class));
        Optional<InstanceType> type = services.instanceTypes().find(pool.getSpec().instanceType);
        if (!(verdict instanceof PoolOwnership.Owned)) {
            // Detached: the tenant of the pool's cluster name is another cluster's now; its Nodes are let go.
            if (verdict instanceof PoolOwnership.Detached) {
                forget(pool);
            }
            return stop(
                    pool, status, InstancePoolReport.ownership(verdict), !(verdict instanceof PoolOwnership.Waiting));
        }
        if (type.isEmpty()) {
            return stop(pool, status, InstancePoolReport.instanceTypeNotFound(pool.getSpec().instanceType), true);
        }
        InstancePoolReport.UserData userData = InstancePoolReport.userData(pool, userDataSecret(pool, context));
        if (userData instanceof Absent absent) {
            return stop(pool, status, absent.ready(), absent.conflict());
        }
        if (userData instanceof InstancePoolReport.OtherRevision) {
            // The spec or the user-data of the Nodepool's last write has not reached this reconcile yet: nothing is
            // booted or reported from the half seen; the other half's event wakes the pool, the poll only bounds it.
            return UpdateControl.<InstancePool>noUpdate().rescheduleAfter(STARTING_POLL);
        }
        DesiredPool desired = DesiredPool.from(pool, type.get(), ((Present) userData).userData())
                .withProviderId(status.providerId);
        List<String> evict = pool.getSpec().evict == null ? List.of() : pool.getSpec().evict;
        List<String> evictedBefore = status.evicted == null ? List.of() : status.evicted;
        ProviderPool observed;
        String call = "evict instances " + String.join(", ", evict);
        try {
            if (!evict.isEmpty()) {
                provider.evict(desired, evict);
                if (!evictedBefore.containsAll(evict)) {
                    events.normal(pool, "InstancesEvicted", InstancePoolReport.evicted(evict, desired.size()));
                }
            }
            status.evicted = new ArrayList<>(evict);
            call = "bring the pool to " + desired.size() + " instances";
            observed = provider.reconcile(desired);
        } catch (ProviderException e) {
            String safe = ProviderMessages.safe(e.getMessage(), desired);
            events.warning(
                    pool,
                    "ProviderCallFailed",
                    InstancePoolReport.providerCallFailed(
                            provider.name(), call, safe, InstancePoolReport.retrying(PROVIDER_RETRY)));
            PoolCondition failed = e instanceof ImageRejectedException
                    ? InstancePoolReport.imageRejected(provider.name(), safe)
                    : InstancePoolReport.providerFailed(provider.name(), safe);
            return stop(pool, status, failed, true).rescheduleAfter(PROVIDER_RETRY);
        }
        status.providerId = observed.providerId();
        status.instances = NodeTracking.remember(
                observed.members(), pool.getStatus(), pool.getSpec().revision, pool.getSpec().version, clock.instant());
        servingApprover.ifPresent(a -> a.track(
                desired.key(),
                new ClusterKey(desired.namespace(), desired.cluster()),
                NodeTracking.addressesByNode(observed)));
        status.size = status.instances.size();
        status.runningInstances = (int) observed.runningCount();
        InstancePoolReport.Machines machines = InstancePoolReport.machines(
                status.size,
                status.runningInstances,
                desired.size(),
                pool.getStatus() == null ? null : pool.getStatus().state);
        status.state = machines.state();
        machines.ready().setIn(status.conditions, generation, clock);
        return patch(
                pool,
                status,
                Durations.sooner(
                        machines.settled(observed) ? Optional.empty() : Optional.of(STARTING_POLL),
                        trackNodes(pool, desired, observed, status, generation)));
    }

    /**
     * Asks for the pool's Nodes (simulated: to match its running instances; real: as their kubelets registered them)
     * and fills in the node names the last sync found Ready. Never waits on the tenant: the sync runs in the
     * background, and this says when to look again: while the Nodes are not in sync, and for real machines always,
     * since a Node may stop being Ready without any event here. The instances gone since {@code before} are kept as
     * departed until the sync found their Nodes gone.
     */
    private Optional<Duration> trackNodes(
            InstancePool pool, DesiredPool desired, ProviderPool observed, InstancePoolStatus status, Long generation) {
        List<NodeProof.Machine> departed = NodeTracking.departed(pool.getStatus(), observed);
        PoolNodes.Request request = NodeTracking.request(desired, observed, departed, status.instances)
                .withHeartbeatsStopped(NodeTracking.heartbeatsStopped(pool));
        var last = nodes.request(request);
        NodeTracking.markRegistered(status.instances, last);
        status.departed = NodeTracking.stillDeparted(departed, last);
        InstancePoolReport.nodes(last, request, nodes.simulating()).setIn(status.conditions, generation, clock);
        return NodeTracking.lookAgain(last, request, nodes.simulating(), () -> nodes.retryAfter(request.pool()));
    }

    /** The Secret spec.userDataSecretName names, whoever made it: whether the pool may use it is the report's call. */
    private static Optional<Secret> userDataSecret(InstancePool pool, Context<InstancePool> context) {
        return InstancePoolReport.userDataSecretName(pool)
                .flatMap(name -> context.getSecondaryResources(Secret.class).stream()
                        .filter(s -> name.equals(s.getMetadata().getName()))
                        .findFirst()
                        .or(() -> Optional.ofNullable(context.getClient()
                                .secrets()
                                .inNamespace(pool.getMetadata().getNamespace())
                                .withName(name)
                                .get())));
    }

    /** Only a Nodepool's own pool ever reached the provider: any other is let go without a call. */
    @Override
    public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
        PoolOwnership.Verdict verdict = PoolOwnership.judge(pool, context.getSecondaryResource(Nodepool.class));
        Optional<DesiredPool> machines = PoolOwnership.machinesToDelete(
                pool, verdict, services.instanceTypes().find(pool.getSpec().instanceType));
        if (machines.isEmpty()) {
            return DeleteControl.defaultDelete();
        }
        DesiredPool desired = machines.get();
        try {
            if (provider.delete(desired)) {
                if (verdict instanceof PoolOwnership.Owned) {
                    // The instances are gone, and so go their Nodes (in the background, if the tenant answers); a
                    // detached pool's cluster name may be another cluster's now, whose Nodes are not its own.
                    nodes.release(NodeTracking.allGone(desired, pool.getStatus()));
                }
                forget(pool);
                return DeleteControl.defaultDelete();
            }
        } catch (ProviderException e) {
            events.warning(
                    pool,
                    "ProviderCallFailed",
                    InstancePoolReport.deleteFailed(
                            provider.name(), ProviderMessages.safe(e.getMessage(), desired), PROVIDER_RETRY));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(PROVIDER_RETRY);
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(STARTING_POLL);
    }

    /** Stops tracking the pool's Nodes and kubelets, leaving the Nodes as they are. */
    private void forget(InstancePool pool) {
        String key =
                pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName();
        nodes.forget(key);
        servingApprover.ifPresent(a -> a.forget(key));
    }

    @Override
    public ErrorStatusUpdateControl<InstancePool> updateErrorStatus(
            InstancePool pool, Context<InstancePool> context, Exception e) {
        return statusWriter.error(pool, e);
    }

    /** Ends a reconcile that reaches no further: {@code ready} says why; an error needs a person, or time. */
    private UpdateControl<InstancePool> stop(
            InstancePool pool, InstancePoolStatus status, PoolCondition ready, boolean error) {
        ready.setIn(status.conditions, pool.getMetadata().getGeneration(), clock);
        status.state = error ? PoolState.Error : PoolState.Creating;
        return patch(pool, status, Optional.empty());
    }

    private UpdateControl<InstancePool> patch(
            InstancePool pool, InstancePoolStatus status, Optional<Duration> reschedule) {
        UpdateControl<InstancePool> control = statusWriter.write(pool, status);
        reschedule.ifPresent(control::rescheduleAfter);
        return control;
    }
}
