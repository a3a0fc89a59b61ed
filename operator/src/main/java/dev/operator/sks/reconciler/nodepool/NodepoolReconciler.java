package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.lifecycle.MachineRevision;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.NodeTrust;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Decision;
import dev.operator.sks.reconciler.nodepool.NodepoolAdmission.Serve;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.support.LeanItemStore;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.tenant.NodeDrains;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.validation.NodepoolValidator;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Validates a Nodepool, binds it to the cluster it is accepted for (by UID, for good), and makes and owns the
 * InstancePool that carries everything a compute provider needs; reports the pool's machines and Nodes back.
 * Evictions named in the Nodepool's {@code sks.operator.dev/evict} annotation are passed on, and the annotation is
 * cleared once they are done. A refused spec is not acted on: the pool keeps serving what was accepted before.
 */
@ControllerConfiguration(
        name = "nodepool",
        finalizerName = Labels.FINALIZER,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = NodepoolUpdateFilter.class))
public class NodepoolReconciler implements Reconciler<Nodepool>, Cleaner<Nodepool> {
    private static final Duration DELETION_POLL = Duration.ofSeconds(2);

    private final NodepoolValidator validator;
    private final OperatorServices services;
    private final Clock clock;
    private final EventRecorder events;
    private final StatusWriter<NodepoolStatus, Nodepool> statusWriter;
    private final MachineLifecycle lifecycle;

    /** Where the cluster's Secrets are read first; empty: from the API server. */
    private final Optional<SecretLookup> secretCache;

    /**
     * @param secretCache the operator's informer cache of the Secrets it made, read before any write
     * @param drains drains each machine's Node before the machine is removed
     */
    public NodepoolReconciler(
            OperatorServices services, EventRecorder events, Optional<SecretLookup> secretCache, NodeDrains drains) {
        this.secretCache = secretCache;
        this.lifecycle = new MachineLifecycle(drains, events, services.clock());
        this.statusWriter = new StatusWriter<>(
                NodepoolStatus.class, NodepoolStatus::new, Nodepool::new, s -> s.conditions, events, services.clock());
        this.validator = new NodepoolValidator(services.instanceTypes());
        this.services = services;
        this.clock = services.clock();
        this.events = events;
    }

    /** The cluster is looked up by the name the pool was accepted for, so a refused spec.cluster edit finds nothing. */
    @Override
    public List<EventSource<?, Nodepool>> prepareEventSources(EventSourceContext<Nodepool> context) {
        InformerEventSource<InstancePool, Nodepool> pools = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(InstancePool.class, Nodepool.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(services.config().sharding().selecting(null))
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Nodepool.class, false))
                        .withItemStore(LeanItemStore.forNamespaces(
                                context.getControllerConfiguration().getEffectiveNamespaces()))
                        .build(),
                context);
        return List.of(
                ClusterReference.eventSource(
                        context,
                        NodepoolAdmission::clusterName,
                        services.config().sharding()),
                pools);
    }

    @Override
    public UpdateControl<Nodepool> reconcile(Nodepool nodepool, Context<Nodepool> context) {
        NodepoolStatus status = statusWriter.copy(nodepool);
        Long generation = nodepool.getMetadata().getGeneration();
        // The object's UID is already a stable UUID: deriving the id from it cannot race or change.
        status.id = nodepool.getMetadata().getUid();
        status.instancePool = Names.instancePool(nodepool.getMetadata().getName(), status.id);
        status.selector = Labels.NODEPOOL_ID + "=" + status.id;
        status.observedGeneration = generation;

        List<Violation> violations = validator.validate(nodepool, status);
        Decision decision =
                NodepoolAdmission.decide(nodepool, status, context.getSecondaryResource(SKSCluster.class), violations);
        NodepoolAdmission.accepted(decision, violations).setIn(status.conditions, generation, clock);
        Optional<InstancePool> observed =
                InstancePools.own(context.getSecondaryResources(InstancePool.class), nodepool, status.instancePool);
        if (!(decision instanceof Serve serve)) {
            NodepoolAdmission.notServed(decision).setIn(status.conditions, generation, clock);
            status.state = PoolState.Error;
            observed.ifPresent(pool -> reportCounts(status, pool));
            return statusWriter.write(nodepool, status);
        }
        SKSCluster cluster = serve.cluster();
        status.cluster = cluster.getMetadata().getName();
        status.clusterUID = cluster.getMetadata().getUid();

        // One read of each Secret for the whole reconcile: the revision and the user-data rendered for it must agree
        // on whether the cluster CA exists, or a machine could boot from user-data newer than its recorded revision.
        SecretLookup secrets = SecretLookup.once(secrets(context.getClient()));
        int wanted;
        Optional<Duration> lookAgain = Optional.empty();
        if (serve.specAccepted()) {
            Optional<String> conflict = observed.isPresent()
                    ? Optional.empty()
                    : instancePoolConflict(context.getClient(), nodepool, status.instancePool);
            if (conflict.isPresent()) {
                NodepoolReport.instancePoolConflict(conflict.get()).setIn(status.conditions, generation, clock);
                status.state = PoolState.Error;
                return statusWriter.write(nodepool, status);
            }
            List<String> evictions = InstancePools.evictions(nodepool);
            Optional<String> template = NodeImages.template(
                    services.config().provider(),
                    nodepool.getSpec().template,
                    services.config().nodeImageOverride(),
                    services.versions(),
                    JoinMaterial.kubernetesVersion(cluster));
            String version = JoinMaterial.kubernetesVersion(cluster)
                    .map(Object::toString)
                    .orElse(null);
            // The CA bundle the user-data carries (rendered below from the same Secret): a rotation's new CA in it
            // makes a new revision, so the machines that trust only the old CA are replaced.
            String trust = JoinMaterial.clusterCaCertificate(secrets, cluster)
                    .flatMap(NodeTrust::anchor)
                    .orElse("");
            String revision = MachineRevision.of(
                    version,
                    template.orElse(""),
                    nodepool.getSpec().instanceType,
                    Defaults.diskSize(nodepool.getSpec()),
                    trust);
            if (trust.isEmpty() && observed.isPresent() && observed.get().getSpec().revision != null) {
                // The CA cannot be read now (a cache that lags): that is no new revision, or the machines would be
                // replaced for it. With no CA no user-data is rendered, so nothing boots meanwhile either.
                revision = observed.get().getSpec().revision;
            }
            MachineLifecycle.Outcome machines =
                    lifecycle.step(nodepool, ClusterKey.of(cluster), status, observed, revision, evictions);
            if (revision.equals(status.revision) && !trust.isEmpty()) {
                // updatedMachines counts against this revision: what the cluster's CA rotation waits on. A CA that
                // cannot be read now says nothing of what the machines trust: what was recorded stays.
                status.trustedCA = trust;
            }
            InstancePool desired = InstancePools.desired(
                    nodepool, cluster, status.id, machines.evict(), template, machines.size(), revision, version);
            observed = Optional.of(apply(context.getClient(), nodepool, observed, desired));
            clearDoneEvictions(context.getClient(), nodepool, observed.get(), evictions);
            wanted = desired.getSpec().size;
            lookAgain = machines.lookAgain();
        } else {
            wanted = observed.map(p -> p.getSpec().size).orElse(0);
        }
        observed.ifPresent(pool -> ensureUserData(context.getClient(), secrets, cluster, pool, status, generation));
        NodepoolReport.Report report = NodepoolReport.of(status.instancePool, wanted, observed, status.state);
        status.size = report.size();
        status.readyNodes = report.readyNodes();
        status.state = report.state();
        report.ready().setIn(status.conditions, generation, clock);
        UpdateControl<Nodepool> control = statusWriter.write(nodepool, status);
        lookAgain.ifPresent(control::rescheduleAfter);
        return control;
    }

    /** A same-named InstancePool the Nodepool does not control is someone else's: never written over. */
    private static Optional<String> instancePoolConflict(KubernetesClient client, Nodepool nodepool, String name) {
        return InstancePools.conflict(
                Optional.ofNullable(client.resources(InstancePool.class)
                        .inNamespace(nodepool.getMetadata().getNamespace())
                        .withName(name)
                        .get()),
                nodepool);
    }

    /** Writes the InstancePool when it is missing or its spec moved; a size change is told as an Event. */
    private InstancePool apply(
            KubernetesClient client, Nodepool nodepool, Optional<InstancePool> observed, InstancePool desired) {
        if (observed.isPresent() && !InstancePools.specChanged(observed.get(), desired)) {
            return observed.get();
        }
        InstancePool applied = client.resource(services.config().sharding().stamp(desired))
                .fieldManager(Labels.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        Integer before = observed.map(p -> p.getSpec().size).orElse(null);
        if (before != null && !before.equals(desired.getSpec().size)) {
            int asked = nodepool.getSpec().size == null ? 0 : nodepool.getSpec().size;
            var autoscaling = nodepool.getSpec().autoscaling;
            events.normal(
                    nodepool,
                    "ScalingInstancePool",
                    asked == desired.getSpec().size || autoscaling == null
                            ? NodepoolReport.scaled(desired.getMetadata().getName(), before, desired.getSpec().size)
                            : NodepoolReport.scaledWithinBounds(
                                    desired.getMetadata().getName(),
                                    before,
                                    desired.getSpec().size,
                                    asked,
                                    autoscaling.minSize,
                                    autoscaling.maxSize));
        }
        return applied;
    }

    /**
     * The machines' user-data (join token, endpoint, CA, the served pool's node labels and taints, and whether the
     * pool's image has Kubernetes baked in), owned by the
     * InstancePool. It needs only the cluster's PKI and endpoint, never the tenant API, so pools never wait on a tenant
     * that is starting. Rendered from the InstancePool, so a refused spec changes nothing a machine boots with.
     */
    private void ensureUserData(
            KubernetesClient client,
            SecretLookup secrets,
            SKSCluster cluster,
            InstancePool pool,
            NodepoolStatus status,
            Long generation) {
        JoinMaterial.Outcome outcome = new JoinMaterial(
                        client, clock, secrets, services.config().sharding())
                .ensureUserData(
                        cluster,
                        pool.getMetadata().getName(),
                        status.id,
                        pool.getSpec().labels,
                        pool.getSpec().taints,
                        Owners.controllerReferenceTo(pool),
                        NodeImages.bakedIn(
                                services.config().provider(),
                                pool.getSpec().template,
                                services.versions(),
                                JoinMaterial.kubernetesVersion(cluster)),
                        pool.getSpec().revision);
        if (outcome instanceof JoinMaterial.Ready
                && MachineLifecycle.oldestVersion(instances(pool)).isEmpty()) {
            // No machine yet: the version new ones join with, as the user-data was just rendered for.
            status.version = JoinMaterial.kubernetesVersion(cluster)
                    .map(Object::toString)
                    .orElse(status.version);
        }
        NodepoolReport.userData(outcome).setIn(status.conditions, generation, clock);
    }

    private SecretLookup secrets(KubernetesClient client) {
        return secretCache.orElseGet(() -> SecretLookup.live(client));
    }

    private static List<Instance> instances(InstancePool pool) {
        return pool.getStatus() == null || pool.getStatus().instances == null ? List.of() : pool.getStatus().instances;
    }

    /** The pool removed the named instances: the annotation has done its job and is cleared, and that is told. */
    private void clearDoneEvictions(
            KubernetesClient client, Nodepool nodepool, InstancePool pool, List<String> evictions) {
        if (!InstancePools.evictionsDone(pool, evictions)) {
            return;
        }
        client.resources(Nodepool.class)
                .inNamespace(nodepool.getMetadata().getNamespace())
                .withName(nodepool.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON), InstancePools.REMOVE_EVICT_ANNOTATION);
        events.normal(nodepool, "InstancesEvicted", NodepoolReport.evicted(evictions));
    }

    /** What exists, for a pool that is not served: its machines are still counted, its Ready says why. */
    private static void reportCounts(NodepoolStatus status, InstancePool pool) {
        if (pool.getStatus() != null) {
            status.size = pool.getStatus().size == null ? 0 : pool.getStatus().size;
            status.readyNodes = NodepoolReport.readyNodes(pool.getStatus().instances);
        }
    }

    /** The InstancePool (and through its own finalizer, the machines) goes first; then the Nodepool. */
    @Override
    public DeleteControl cleanup(Nodepool nodepool, Context<Nodepool> context) {
        String poolName = Names.instancePool(
                nodepool.getMetadata().getName(), nodepool.getMetadata().getUid());
        var pool = context.getClient()
                .resources(InstancePool.class)
                .inNamespace(nodepool.getMetadata().getNamespace())
                .withName(poolName);
        InstancePool existing = pool.get();
        // Only its own: a same-named InstancePool it does not control is left alone.
        if (existing == null || !Owners.isControlledBy(existing, nodepool)) {
            return DeleteControl.defaultDelete();
        }
        pool.delete();
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(DELETION_POLL);
    }

    @Override
    public ErrorStatusUpdateControl<Nodepool> updateErrorStatus(
            Nodepool nodepool, Context<Nodepool> context, Exception e) {
        return statusWriter.error(nodepool, e);
    }
}
