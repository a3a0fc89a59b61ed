package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.backup.BackupException;
import dev.operator.sks.backup.EtcdBackups;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.EtcdMaintenancePlan;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.metrics.ClusterReadiness;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Kubeconfig;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Leaf;
import dev.operator.sks.reconciler.cluster.ClusterStatusReport.Budgets;
import dev.operator.sks.rendering.ApiserverRenderer;
import dev.operator.sks.rendering.ClusterAutoscalerRenderer;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ComponentVersions;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.ControlPlaneRenderer;
import dev.operator.sks.rendering.Endpoint;
import dev.operator.sks.rendering.EndpointResolver;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.rendering.EtcdRestoreRenderer;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.RenderedControlPlane;
import dev.operator.sks.rendering.UpgradePlan;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.sizing.SizingDecision;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.support.Durations;
import dev.operator.sks.tenant.KubeletVersions;
import dev.operator.sks.tenant.TenantRequest;
import dev.operator.sks.tenant.TenantWork;
import dev.operator.sks.validation.ClusterValidator;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an SKSCluster into a hosted control plane: validates, checks that every name it needs is free or its own,
 * keeps the PKI, renders and applies etcd and the control-plane workloads in upgrade order, and reports what runs
 * ({@link ClusterStatusReport} words it). Refused specs leave what runs untouched; a name taken by an object the
 * cluster does not own stops everything until it is gone.
 */
@ControllerConfiguration(
        name = "skscluster",
        finalizerName = Labels.FINALIZER,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = ClusterUpdateFilter.class))
public class SKSClusterReconciler implements Reconciler<SKSCluster>, Cleaner<SKSCluster> {
    private static final Duration TEARDOWN_POLL = Duration.ofSeconds(5);
    /** How soon a cluster blocked by a name conflict looks again: objects it does not own send it no events. */
    static final Duration CONFLICT_POLL = Duration.ofSeconds(10);
    /** How soon a cloud IAM that failed is asked again. */
    static final Duration CLOUD_RETRY = Duration.ofSeconds(30);
    /** How soon a restore that could not be prepared (no backup yet, store down) is tried again. */
    static final Duration RESTORE_RETRY = Duration.ofMinutes(1);

    private final ClusterValidator validator;
    private final VersionCatalog catalog;
    private final Clock clock;
    private final BouncyCastlePki pki;
    private final TenantWork tenantWork;
    private final EtcdGrower etcd;
    private final EtcdMaintainer etcdMaintenance;
    private final EventRecorder events;
    private final StatusWriter<SKSClusterStatus, SKSCluster> statusWriter;
    private final InformerCaches caches;
    private final UnwatchedNames unwatched;
    private final CcmCredentials ccm;
    private final IdleCountdown idleCountdown;
    private final ClusterReadiness readiness;
    private final ControlPlaneSizing sizing;
    private final ClusterAutoscaler autoscaler;
    private final Optional<EtcdBackups> backups;
    private final ClusterBackups clusterBackups;
    private final ClusterRestore restore;
    private final Sharding sharding;
    /** Discovered once, when the event sources are made: asking each reconcile would cost a request each time. */
    private volatile boolean budgetsServed;

    public SKSClusterReconciler(OperatorServices services, TenantWork tenantWork, EventRecorder events) {
        this(services, tenantWork, new TlsEtcdConnector(), events, new InformerCaches(), Optional.empty());
    }

    /**
     * @param etcdConnector how to reach a cluster's etcd while it grows member by member
     * @param caches        filled with the reconciler's informers when the operator starts; others may read them
     * @param cloud         where clusters' cloud controllers get API keys of their own, on providers that need them
     */
    public SKSClusterReconciler(
            OperatorServices services,
            TenantWork tenantWork,
            EtcdConnector etcdConnector,
            EventRecorder events,
            InformerCaches caches,
            Optional<CloudControllerCredentials> cloud) {
        this(services, tenantWork, etcdConnector, events, caches, cloud, ClusterReadiness.NONE);
    }

    /** @param readiness told each reconcile's status, to measure the time to a cluster's first Ready */
    public SKSClusterReconciler(
            OperatorServices services,
            TenantWork tenantWork,
            EtcdConnector etcdConnector,
            EventRecorder events,
            InformerCaches caches,
            Optional<CloudControllerCredentials> cloud,
            ClusterReadiness readiness) {
        this(services, tenantWork, etcdConnector, events, caches, cloud, readiness, LoadObservations.NONE);
    }

    /** @param load the tenants' load, observed in the background, that pro control planes are sized by */
    public SKSClusterReconciler(
            OperatorServices services,
            TenantWork tenantWork,
            EtcdConnector etcdConnector,
            EventRecorder events,
            InformerCaches caches,
            Optional<CloudControllerCredentials> cloud,
            ClusterReadiness readiness,
            LoadObservations load) {
        this(services, tenantWork, etcdConnector, events, caches, cloud, readiness, load, Optional.empty());
    }

    /** @param backups where etcd backups run; empty when the operator has no backup store */
    public SKSClusterReconciler(
            OperatorServices services,
            TenantWork tenantWork,
            EtcdConnector etcdConnector,
            EventRecorder events,
            InformerCaches caches,
            Optional<CloudControllerCredentials> cloud,
            ClusterReadiness readiness,
            Optional<EtcdBackups> backups) {
        this(services, tenantWork, etcdConnector, events, caches, cloud, readiness, LoadObservations.NONE, backups);
    }

    /**
     * @param load the tenants' load, observed in the background, that pro control planes are sized by
     * @param backups where etcd backups run; empty when the operator has no backup store
     */
    public SKSClusterReconciler(
            OperatorServices services,
            TenantWork tenantWork,
            EtcdConnector etcdConnector,
            EventRecorder events,
            InformerCaches caches,
            Optional<CloudControllerCredentials> cloud,
            ClusterReadiness readiness,
            LoadObservations load,
            Optional<EtcdBackups> backups) {
        this.sizing = new ControlPlaneSizing(load, SizingDecision.Policy.DEFAULT, services.clock());
        this.backups = backups;
        this.clusterBackups = new ClusterBackups(backups, events, services.clock());
        this.restore = new ClusterRestore(backups);
        this.readiness = readiness;
        this.caches = caches;
        this.unwatched = new UnwatchedNames(services.clock());
        this.ccm = new CcmCredentials(cloud, services.clock());
        this.idleCountdown = new IdleCountdown(services.config().idleStarterDeletion(), events, services.clock());
        this.statusWriter = new StatusWriter<>(
                SKSClusterStatus.class,
                SKSClusterStatus::new,
                SKSCluster::new,
                s -> s.conditions,
                events,
                services.clock());
        this.validator =
                new ClusterValidator(services.versions(), services.config().zones());
        this.catalog = services.versions();
        this.clock = services.clock();
        this.pki = new BouncyCastlePki(services.clock());
        this.tenantWork = tenantWork;
        this.etcd = new EtcdGrower(etcdConnector, events);
        this.etcdMaintenance =
                new EtcdMaintainer(etcdConnector, events, services.clock(), EtcdMaintenancePlan.Policy.DEFAULT);
        this.events = events;
        this.autoscaler = new ClusterAutoscaler(services.config(), pki, services.clock());
        this.sharding = services.config().sharding();
    }

    @Override
    public List<EventSource<?, SKSCluster>> prepareEventSources(EventSourceContext<SKSCluster> context) {
        budgetsServed = OptionalApis.podDisruptionBudgetsServed(context.getClient());
        List<EventSource<?, SKSCluster>> sources =
                new ArrayList<>(ClusterEventSources.of(context, caches, budgetsServed, sharding));
        // etcd maintenance runs its rounds in the background and wakes a cluster only when a round found news.
        SimpleInboundEventSource<SKSCluster> etcdNews = new SimpleInboundEventSource<>("etcd-maintenance");
        etcdMaintenance.wakeWith(etcdNews::propagateEvent);
        sources.add(etcdNews);
        return sources;
    }

    @Override
    public UpdateControl<SKSCluster> reconcile(SKSCluster cluster, Context<SKSCluster> context) {
        SKSClusterStatus before = cluster.getStatus();
        SKSClusterStatus status = statusWriter.copy(cluster);
        // The pools' machines bound an upgrade too: a pool mid-replacement runs its oldest kubelet still.
        List<Violation> violations = validator.validate(
                cluster,
                status,
                KubeletVersions.oldest(
                        tenantWork.oldestKubelet(cluster),
                        context.getSecondaryResources(Nodepool.class),
                        cluster.getMetadata().getUid()));
        IdleCountdown.Step idle = idleCountdown.run(cluster, status, context);
        if (idle.deleted()) {
            return statusWriter.write(cluster, status); // the cleanup follows
        }
        if (!violations.isEmpty()) {
            ClusterStatusReport.report(cluster, status, new ClusterStatusReport.Refused(violations), catalog, clock);
            UpdateControl<SKSCluster> refused = statusWriter.write(cluster, status);
            idle.lookAgain().ifPresent(refused::rescheduleAfter);
            return refused;
        }
        ClusterModel model = ClusterModel.from(cluster, catalog);
        KubernetesVersion target = model.targetVersion().orElseThrow();
        ObservedControlPlane observed = ObservedControlPlane.of(cluster, context);
        Optional<Endpoint> endpoint =
                observed.apiserverService().flatMap(s -> EndpointResolver.resolve(s, Optional.empty()));
        ComponentVersions versions = UpgradePlan.next(target, observed.versions(), observed.rolledOut());
        List<Leaf> leaves = ClusterCertificates.leaves(model, endpoint.map(Endpoint::host), KeyAlgorithm.DEFAULT);
        // Some pool accepted for this cluster is autoscaled: its cluster-autoscaler runs next to the control plane.
        boolean autoscaled = autoscaler.served()
                && ClusterAutoscalerRenderer.wanted(cluster, context.getSecondaryResources(Nodepool.class));
        List<Kubeconfig> kubeconfigs = ClusterCertificates.kubeconfigs(model, KeyAlgorithm.DEFAULT, autoscaled);
        OwnedObjects objects = new OwnedObjects(context.getClient(), caches, unwatched, cluster, events, sharding);
        if (ClusterRestore.pending(cluster, status)) {
            // Before anything is made: the PKI must find the restored CAs, never generate its own.
            Optional<Duration> retry = prepareRestore(cluster, status, objects);
            if (retry.isPresent()) {
                UpdateControl<SKSCluster> waiting = statusWriter.write(cluster, status);
                waiting.rescheduleAfter(retry.get());
                return waiting;
            }
        }
        ClusterStatusReport.Outcome outcome;
        Optional<Duration> lookAgain = idle.lookAgain();
        CcmCredentials.Outcome credentials = new CcmCredentials.NotWanted();
        Optional<CertificateSecrets.Expiries> expiries = Optional.empty();
        Optional<KeyRotations.Outcome> rotations = Optional.empty();
        Optional<EtcdLayout> etcdLayout = Optional.empty();
        Optional<ControlPlaneSizing.Step> sized = Optional.empty();
        Optional<EtcdMaintainer.Report> maintenance = Optional.empty();
        try {
            List<NameConflict> conflicts = objects.conflicts(ClusterNames.wanted(
                    model,
                    versions,
                    leaves,
                    kubeconfigs,
                    new ClusterNames.Parts(
                            budgetsServed, ccm.wanted(model), autoscaled, cluster.getSpec().restore != null)));
            if (!conflicts.isEmpty()) {
                throw new NameConflictException(conflicts.get(0));
            }
            if (endpoint.isEmpty() && observed.apiserverService().isEmpty()) {
                endpoint = exposeFirst(objects, model, versions);
                leaves = ClusterCertificates.leaves(model, endpoint.map(Endpoint::host), KeyAlgorithm.DEFAULT);
            }
            CertificateSecrets.Outcome certificates = new CertificateSecrets(objects, pki, clock, KeyAlgorithm.DEFAULT)
                    .ensure(cluster, leaves, kubeconfigs);
            tell(cluster, ClusterEvents.certificates(certificates));
            ControlPlaneSizing.Step size = sizing.run(cluster, model.level(), model.pinnedSize(), before);
            ControlPlaneInputs inputs = new ControlPlaneInputs(
                    model, versions, endpoint.map(Endpoint::host), certificates.hashes(), size.profile());
            // A key rotation steps on only once the pods run with what the Secrets hold now.
            EtcdLayout fullLayout = ControlPlaneRenderer.fullEtcdLayout(inputs);
            RenderedControlPlane atFullLayout = ControlPlaneRenderer.render(inputs, fullLayout);
            rotations = Optional.of(
                    new KeyRotations(objects, pki, clock, KeyAlgorithm.DEFAULT, KeyRotations.LONGEST_TOKEN_LIFETIME)
                            .advance(
                                    cluster,
                                    before,
                                    observed.settledAt(atFullLayout),
                                    KeyRotations.pools(cluster, context.getSecondaryResources(Nodepool.class))));
            tell(cluster, ClusterEvents.keyRotations(rotations.get()));
            if (rotations.get().changed()) {
                certificates = new CertificateSecrets(objects, pki, clock, KeyAlgorithm.DEFAULT)
                        .ensure(cluster, leaves, kubeconfigs);
                tell(cluster, ClusterEvents.certificates(certificates));
                inputs = new ControlPlaneInputs(
                        model, versions, endpoint.map(Endpoint::host), certificates.hashes(), size.profile());
            }
            expiries = certificates.expiries();
            credentials = ccm.ensure(cluster, model, objects);
            tell(cluster, ClusterEvents.ccmCredentials(credentials));
            EtcdGrower.Progress growth = etcd.grow(context.getClient(), cluster, inputs, observed.etcd());
            etcdLayout = Optional.of(growth.layout());
            // Each rendering was an eighth of a reconcile's CPU at 300 new clusters: what was rendered for the
            // rotation's check is applied as it is when neither the certificates nor etcd's layout differ since.
            RenderedControlPlane rendered =
                    !rotations.get().changed() && growth.layout().equals(fullLayout)
                            ? atFullLayout
                            : ControlPlaneRenderer.render(inputs, growth.layout());
            if (cluster.getSpec().restore != null) {
                EtcdRestoreRenderer.addTo(rendered.etcd(), inputs);
            }
            Budgets budgets = apply(objects, rendered);
            if (autoscaled) {
                autoscaler.ensure(
                        cluster,
                        model,
                        versions.of(ControlPlaneComponent.KUBE_CONTROLLER_MANAGER),
                        objects,
                        context.getClient(),
                        certificates.hashes().get(Names.clusterAutoscalerKubeconfig(model.name())));
            } else {
                autoscaler.remove(objects, model.name());
            }
            sized = Optional.of(size);
            outcome = new ClusterStatusReport.Reconciled(
                    target, observed.versions(), observed.rolledOut(), endpoint, growth, budgets);
            lookAgain = Durations.sooner(lookAgain, growth.lookAgain());
            if (observed.etcd().isPresent()) {
                maintenance = maintainEtcd(context, cluster, inputs, growth, target, observed);
                lookAgain = Durations.sooner(lookAgain, etcdMaintenance.reconcileAgain(cluster));
            }
        } catch (NameConflictException e) {
            outcome = new ClusterStatusReport.Conflicted(e.conflict(), isCertificate(cluster, e.conflict()));
            lookAgain = Durations.sooner(lookAgain, Optional.of(CONFLICT_POLL));
        } catch (MissingAuthorityException e) {
            outcome = new ClusterStatusReport.AuthorityMissing(e.getMessage());
        }
        ClusterStatusReport.report(cluster, status, outcome, catalog, clock);
        ClusterStatusReport.cloudCredentials(status, credentials, clock);
        rotations.ifPresent(r -> ClusterStatusReport.rotations(status, r, clock));
        ClusterStatusReport.certificates(status, expiries);
        tell(cluster, ClusterEvents.authoritiesExpiring(ClusterStatusReport.expiryWarningsDue(status, clock)));
        lookAgain = Durations.sooner(lookAgain, rotations.flatMap(r -> r.lookAgain(clock)));
        etcdLayout.ifPresent(layout -> ClusterStatusReport.etcd(status, layout));
        // The size is reported, and its change told, only once the control plane was rendered at it.
        if (sized.isPresent()) {
            ClusterStatusReport.controlPlane(status, sized.get(), clock);
            tell(cluster, ClusterEvents.resized(sized.get()));
            lookAgain = Durations.sooner(lookAgain, sized.get().lookAgain());
        }
        ClusterStatusReport.etcdMaintenance(status, maintenance, status.observedGeneration, clock);
        lookAgain = Durations.sooner(lookAgain, clusterBackups.run(cluster, status));
        lookAgain = Durations.sooner(lookAgain, CcmCredentials.lookAgain(credentials, CLOUD_RETRY, clock));
        lookAgain = Durations.sooner(lookAgain, reportTenant(cluster, status, credentials));
        tell(cluster, ClusterEvents.upgrade(before, status, target.toString()));
        readiness.reported(cluster, before, status);
        UpdateControl<SKSCluster> control = statusWriter.write(cluster, status);
        lookAgain.ifPresent(control::rescheduleAfter);
        return control;
    }

    /** etcd's maintenance runs in the background; this hands it what the reconcile knows and takes its last report. */
    private Optional<EtcdMaintainer.Report> maintainEtcd(
            Context<SKSCluster> context,
            SKSCluster cluster,
            ControlPlaneInputs inputs,
            EtcdGrower.Progress growth,
            KubernetesVersion target,
            ObservedControlPlane observed) {
        Instant created = Optional.ofNullable(cluster.getMetadata().getCreationTimestamp())
                .map(Instant::parse)
                .orElseGet(clock::instant);
        return etcdMaintenance.request(
                context.getClient(),
                new EtcdMaintainer.Request(
                        cluster,
                        EtcdRenderer.firstMemberClientUrl(inputs),
                        inputs.certificateHashes().get(Names.apiserverEtcdClient(inputs.name())),
                        growth.layout().replicas(),
                        observed.etcdServing(),
                        growth.growing(),
                        !UpgradePlan.isComplete(target, observed.versions(), observed.rolledOut()),
                        ClusterStatusReport.lastDefragmentations(cluster.getStatus()),
                        EtcdRenderer.quotaBackendBytes(),
                        EtcdMaintenancePlan.firstDue(
                                created, cluster.getMetadata().getUid(), EtcdMaintenancePlan.Policy.DEFAULT)));
    }

    /**
     * Prepares a restore (CAs and the snapshot's download), telling the outcome in RestoreReady; returns when to try
     * again when it could not, and then nothing else of the cluster is made.
     */
    private Optional<Duration> prepareRestore(SKSCluster cluster, SKSClusterStatus status, OwnedObjects objects) {
        try {
            String snapshot = restore.prepare(cluster, objects);
            status.restoredFrom = snapshot;
            tell(cluster, BackupReport.restored(status, snapshot, clock));
            return Optional.empty();
        } catch (BackupException e) {
            tell(cluster, BackupReport.restoreFailed(status, e.reason(), e.getMessage(), clock));
            return Optional.of(RESTORE_RETRY);
        }
    }

    /**
     * Every object the cluster will write, by kind and name, found before anything is made: rendered once without
     * certificate hashes, which change no name.
     */
    /**
     * Makes the API server's Service before any certificate, so its serving certificate is issued once, with the
     * endpoint in it: a ClusterIP (also a NodePort's or LoadBalancer's) is in the create's answer. Issued before the
     * Service, it was issued again when the address appeared, and the Deployment rolled: a second pass of writes for
     * every new cluster. A LoadBalancer's address comes later and still re-issues it then.
     */
    private static Optional<Endpoint> exposeFirst(
            OwnedObjects objects, ClusterModel model, ComponentVersions versions) {
        Service service =
                ApiserverRenderer.service(new ControlPlaneInputs(model, versions, Optional.empty(), Map.of()));
        objects.apply(service);
        return objects.find(Service.class, service.getMetadata().getName())
                .flatMap(s -> EndpointResolver.resolve(s, Optional.empty()));
    }

    private void tell(SKSCluster cluster, List<Transition> transitions) {
        transitions.forEach(e -> events.record(cluster, e.type(), e.reason(), e.message()));
    }

    private static boolean isCertificate(SKSCluster cluster, NameConflict conflict) {
        return "Secret".equals(conflict.kind())
                || conflict.name()
                        .equals(Names.caCertificates(cluster.getMetadata().getName()));
    }

    /** Applies in the order rendered (what a component needs first); budgets only where policy/v1 is served. */
    private Budgets apply(OwnedObjects objects, RenderedControlPlane rendered) {
        rendered.all().stream()
                .filter(o -> budgetsServed || !(o instanceof PodDisruptionBudget))
                .forEach(objects::apply);
        return rendered.podDisruptionBudgets().isEmpty()
                ? Budgets.NOT_WANTED
                : budgetsServed ? Budgets.APPLIED : Budgets.NOT_SERVED;
    }

    /**
     * What kubeadm join needs in the tenant goes there in the background once the control plane runs; an unreachable
     * tenant shows in TenantReachable, never in a slow reconcile. Returns when to look again while it is not done.
     */
    private Optional<Duration> reportTenant(
            SKSCluster cluster, SKSClusterStatus status, CcmCredentials.Outcome credentials) {
        if (!ClusterStatusReport.servesTenant(status)) {
            ClusterStatusReport.tenant(status, Optional.empty(), status.observedGeneration, clock);
            return Optional.empty();
        }
        SKSCluster snapshot = StatusPatches.statusOnly(cluster, status, SKSCluster::new);
        snapshot.getMetadata().setUid(cluster.getMetadata().getUid());
        snapshot.setSpec(cluster.getSpec());
        var outcome = tenantWork.bootstrap(new TenantRequest(snapshot, CcmCredentials.keyId(credentials)));
        ClusterStatusReport.tenant(status, outcome, status.observedGeneration, clock);
        return outcome.filter(o -> o.applied()).isPresent()
                ? Optional.empty()
                : Optional.of(tenantWork.retryAfter(snapshot));
    }

    @Override
    public DeleteControl cleanup(SKSCluster cluster, Context<SKSCluster> context) {
        ClusterTeardown teardown = new ClusterTeardown(context.getClient(), budgetsServed);
        if (!teardown.nodepoolsGone(cluster)) {
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(TEARDOWN_POLL);
        }
        Optional<String> refused = ccm.revoke(cluster, context.getClient());
        if (refused.isPresent()) {
            events.warning(
                    cluster, ClusterEvents.CLOUD_CREDENTIALS_NOT_REVOKED, ClusterEvents.notRevoked(refused.get()));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(CLOUD_RETRY);
        }
        teardown.deleteControlPlane(cluster);
        tenantWork.forget(cluster);
        etcd.forget(cluster);
        etcdMaintenance.forget(cluster);
        backups.ifPresent(b -> b.forget(cluster.getMetadata().getUid()));
        readiness.forget(cluster);
        sizing.forget(cluster);
        return DeleteControl.defaultDelete();
    }

    @Override
    public ErrorStatusUpdateControl<SKSCluster> updateErrorStatus(
            SKSCluster cluster, Context<SKSCluster> context, Exception e) {
        return statusWriter.error(cluster, e);
    }
}
