package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdGrowth;
import dev.operator.sks.etcd.EtcdMembers;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.rendering.CertificateSans;
import dev.operator.sks.rendering.ComponentVersions;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.ControlPlaneRenderer;
import dev.operator.sks.rendering.Endpoint;
import dev.operator.sks.rendering.EndpointResolver;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.rendering.RenderedControlPlane;
import dev.operator.sks.rendering.Rollouts;
import dev.operator.sks.rendering.UpgradePlan;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.tenant.TenantBootstrap;
import dev.operator.sks.tenant.TenantWork;
import dev.operator.sks.validation.ClusterValidator;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an SKSCluster into a hosted control plane: validates, keeps the PKI, renders and applies etcd and the
 * control-plane workloads in upgrade order, and reports what runs. Refused specs leave what runs untouched.
 */
@ControllerConfiguration(name = "skscluster", finalizerName = Labels.FINALIZER,
    generationAwareEventProcessing = false, informer = @Informer(onUpdateFilter = ClusterUpdateFilter.class))
public class SKSClusterReconciler implements Reconciler<SKSCluster>, Cleaner<SKSCluster> {
  private static final String OWNED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
  private static final Duration TEARDOWN_POLL = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(SKSClusterReconciler.class);

  private final ClusterValidator validator;
  private final VersionCatalog catalog;
  private final Clock clock;
  private final BouncyCastlePki pki;

  private final TenantWork tenantWork;
  private final EtcdConnector etcdConnector;
  /** Failed growth calls in a row (unreachable or refused) per growing cluster, for the backoff; reset on success. */
  private final Map<ResourceID, Integer> etcdFailures = new ConcurrentHashMap<>();

  private final StatusWriter<SKSClusterStatus, SKSCluster> statusWriter;

  public SKSClusterReconciler(OperatorServices services, TenantWork tenantWork, EventRecorder events) {
    this(services, tenantWork, new TlsEtcdConnector(), events);
  }

  /** @param etcdConnector how to reach a cluster's etcd while it grows member by member */
  public SKSClusterReconciler(OperatorServices services, TenantWork tenantWork, EtcdConnector etcdConnector,
      EventRecorder events) {
    this.statusWriter = new StatusWriter<>(SKSClusterStatus.class, SKSClusterStatus::new, SKSCluster::new,
        s -> s.conditions, events, services.clock());
    this.etcdConnector = etcdConnector;
    this.validator = new ClusterValidator(services.versions(), services.config().zones());
    this.catalog = services.versions();
    this.clock = services.clock();
    this.pki = new BouncyCastlePki(services.clock());
    this.tenantWork = tenantWork;
  }

  @Override
  public List<EventSource<?, SKSCluster>> prepareEventSources(EventSourceContext<SKSCluster> context) {
    List<EventSource<?, SKSCluster>> sources = new ArrayList<>();
    for (Class<? extends HasMetadata> owned : List.of(Deployment.class, StatefulSet.class, Service.class,
        ConfigMap.class, Secret.class)) {
      sources.add(ownedEventSource(context, owned));
    }
    // A deleted cluster waits for its nodepools: their deletion wakes it up.
    sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Nodepool.class, SKSCluster.class)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(np -> np.getSpec() == null || np.getSpec().cluster == null ? Set.of()
            : Set.of(new ResourceID(np.getSpec().cluster, np.getMetadata().getNamespace())))
        .build(), context));
    return sources;
  }

  private static <R extends HasMetadata> InformerEventSource<R, SKSCluster> ownedEventSource(
      EventSourceContext<SKSCluster> context, Class<R> type) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, SKSCluster.class)
        .withNamespacesInheritedFromController()
        .withLabelSelector(OWNED)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SKSCluster.class, false))
        .build(), context);
  }

  @Override
  public UpdateControl<SKSCluster> reconcile(SKSCluster cluster, Context<SKSCluster> context) {
    SKSClusterStatus status = statusWriter.copy(cluster);
    Long generation = cluster.getMetadata().getGeneration();
    status.observedGeneration = generation;
    List<Violation> violations = validator.validate(cluster, status, tenantWork.oldestKubelet(cluster));
    if (!violations.isEmpty()) {
      refuse(status, violations, generation);
      return patchIfChanged(cluster, status);
    }
    Conditions.set(status.conditions, Conditions.ACCEPTED, true, "Valid", "the spec is valid", generation, clock);
    status.zone = cluster.getSpec().zone;
    status.level = Defaults.level(cluster.getSpec());
    status.networking = ClusterValidator.networkingToRecord(cluster.getSpec(), status);
    KubernetesVersion target = targetVersion(cluster, status);

    Observed observed = Observed.from(cluster, context);
    Optional<Endpoint> endpoint = observed.apiserverService().flatMap(s -> EndpointResolver.resolve(s,
        Optional.empty()));
    CertificateSecrets.Outcome certificates;
    try {
      certificates = new CertificateSecrets(context.getClient(), pki, clock, KeyAlgorithm.DEFAULT)
          .ensure(cluster, leaves(cluster, endpoint), ClusterCertificates.kubeconfigs(cluster, KeyAlgorithm.DEFAULT));
    } catch (MissingAuthorityException e) {
      Conditions.set(status.conditions, Conditions.CERTIFICATES_READY, false, "CertificateAuthorityMissing",
          e.getMessage(), generation, clock);
      Conditions.set(status.conditions, Conditions.READY, false, "CertificateAuthorityMissing", e.getMessage(),
          generation, clock);
      status.state = ClusterState.Error;
      return patchIfChanged(cluster, status);
    }
    Conditions.set(status.conditions, Conditions.CERTIFICATES_READY, true, "Issued",
        "every certificate and kubeconfig is issued and current", generation, clock);

    ComponentVersions versions = UpgradePlan.next(target, observed.versions(), observed.rolledOut());
    ControlPlaneInputs inputs = new ControlPlaneInputs(cluster, versions, catalog, endpoint.map(Endpoint::host),
        certificates.hashes());
    EtcdProgress etcd = growEtcd(cluster, context, inputs, observed);
    RenderedControlPlane rendered = ControlPlaneRenderer.render(inputs, etcd.layout());
    apply(context, rendered, observed, status, generation);

    reportProgress(status, target, observed, endpoint, etcd, generation);
    Optional<Duration> lookAgain = earliest(reportTenant(cluster, status, generation), etcd.lookAgain());
    UpdateControl<SKSCluster> control = patchIfChanged(cluster, status);
    lookAgain.ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * Where etcd's growth stands this reconcile: the layout to render, and while growing what EtcdReady says and when
   * to look again.
   */
  record EtcdProgress(EtcdLayout layout, Optional<String> reason, String message, Optional<Duration> lookAgain) {
    static EtcdProgress steady(EtcdLayout layout) {
      return new EtcdProgress(layout, Optional.empty(), "", Optional.empty());
    }

    boolean growing() {
      return reason.isPresent();
    }
  }

  /**
   * Grows etcd one member at a time ({@link EtcdGrowth}): asks etcd for its members only while the StatefulSet has
   * fewer than the level wants or a learner, takes at most one membership step, and plans again for what to render.
   * An unreachable etcd leaves the StatefulSet as it is and is asked again with backoff.
   */
  private EtcdProgress growEtcd(SKSCluster cluster, Context<SKSCluster> context, ControlPlaneInputs inputs,
      Observed observed) {
    int desired = EtcdRenderer.members(Defaults.level(cluster.getSpec()));
    Optional<StatefulSet> statefulSet = observed.etcd();
    ResourceID id = ResourceID.fromResource(cluster);
    if (!EtcdGrowth.inProgress(desired, statefulSet)) {
      etcdFailures.remove(id);
      return EtcdProgress.steady(EtcdGrowth.layoutWithoutMembers(desired, statefulSet));
    }
    EtcdLayout current = EtcdLayout.of(statefulSet.orElseThrow());
    IntFunction<String> peerUrl = ordinal -> EtcdRenderer.peerUrl(inputs, ordinal);
    String where = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    try {
      EtcdMembers members = etcdConnector.connect(context.getClient(), cluster,
          EtcdRenderer.firstMemberClientUrl(inputs));
      EtcdGrowth.Step step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
      if (step instanceof EtcdGrowth.AddLearner add) {
        members.addLearner(add.peerUrl());
        LOG.info("{}: added etcd member {} as learner ({})", where, add.ordinal() + 1, add.peerUrl());
        step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
      } else if (step instanceof EtcdGrowth.Promote promote) {
        try {
          members.promote(promote.memberId());
          LOG.info("{}: promoted etcd member {} to voting member", where, promote.ordinal() + 1);
          step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
        } catch (EtcdException e) {
          if (!e.learnerNotCaughtUp()) {
            throw e;
          }
          // The step's message already says so: waiting for the learner to catch up.
        }
      }
      etcdFailures.remove(id);
      if (step instanceof EtcdGrowth.Done) {
        return EtcdProgress.steady(step.layout());
      }
      return new EtcdProgress(step.layout(), Optional.of(step.reason()), step.message(),
          Optional.of(EtcdGrowth.POLL));
    } catch (EtcdException e) {
      int failures = etcdFailures.merge(id, 1, Integer::sum);
      Optional<Duration> retry = Optional.of(EtcdGrowth.retryAfter(failures));
      String member = "member " + (current.votingMembers() + 1) + " of " + desired;
      if (e.answered()) {
        // Reached, but refused for now: etcd turns down a new member while one was just promoted ("unhealthy
        // cluster") until every member has been connected for a few seconds.
        LOG.info("{}: etcd refused a growth step (attempt {}): {}", where, failures, e.getMessage());
        return new EtcdProgress(current, Optional.of(EtcdGrowth.ADDING_MEMBER), "adding etcd " + member
            + ": etcd refused for now, trying again: " + e.getMessage(), retry);
      }
      LOG.info("{}: cannot reach etcd to grow it (attempt {}): {}", where, failures, e.getMessage());
      return new EtcdProgress(current, Optional.of("EtcdUnreachable"), "cannot reach etcd to add " + member + ": "
          + e.getMessage(), retry);
    }
  }

  private static Optional<Duration> earliest(Optional<Duration> one, Optional<Duration> other) {
    if (one.isEmpty()) {
      return other;
    }
    return other.filter(o -> o.compareTo(one.get()) < 0).or(() -> one);
  }

  /**
   * What kubeadm join needs in the tenant (cluster-info, bootstrap RBAC, the join token) goes there in the
   * background once the control plane runs; an unreachable tenant shows in TenantReachable, never in a slow
   * reconcile. Returns when to look again while it is not done.
   */
  private Optional<Duration> reportTenant(SKSCluster cluster, SKSClusterStatus status, Long generation) {
    if (status.state != ClusterState.Running && status.state != ClusterState.Upgrading
        && status.state != ClusterState.Updating) {
      Conditions.remove(status.conditions, Conditions.TENANT_REACHABLE);
      return Optional.empty();
    }
    SKSCluster snapshot = StatusPatches.statusOnly(cluster, status, SKSCluster::new);
    snapshot.getMetadata().setUid(cluster.getMetadata().getUid());
    snapshot.setSpec(cluster.getSpec());
    Optional<TenantBootstrap.Outcome> outcome = tenantWork.bootstrap(snapshot);
    if (outcome.isEmpty()) {
      Conditions.set(status.conditions, Conditions.TENANT_REACHABLE, Conditions.UNKNOWN, "Probing",
          "reaching the cluster's API server", generation, clock);
    } else {
      Conditions.set(status.conditions, Conditions.TENANT_REACHABLE, outcome.get().applied(),
          outcome.get().reason(), outcome.get().message(), generation, clock);
    }
    return outcome.filter(TenantBootstrap.Outcome::applied).isPresent() ? Optional.empty()
        : Optional.of(tenantWork.retryAfter(snapshot));
  }

  /**
   * What the control plane should run: the spec's version, or with autoUpgrade the newest patch of the minor the
   * spec asks for (the spec itself is never rewritten, so GitOps tools see no drift).
   */
  private KubernetesVersion targetVersion(SKSCluster cluster, SKSClusterStatus status) {
    KubernetesVersion requested = catalog.resolve(cluster.getSpec().version).orElseThrow();
    return Defaults.autoUpgrade(cluster.getSpec()) ? catalog.newestPatchOf(requested) : requested;
  }

  private static List<ClusterCertificates.Leaf> leaves(SKSCluster cluster, Optional<Endpoint> endpoint) {
    return ClusterCertificates.leaves(cluster.getMetadata().getName(),
        CertificateSans.apiserver(cluster, endpoint.map(Endpoint::host)), CertificateSans.etcdServer(cluster),
        CertificateSans.etcdPeer(cluster), KeyAlgorithm.DEFAULT);
  }

  private void apply(Context<SKSCluster> context, RenderedControlPlane rendered, Observed observed,
      SKSClusterStatus status, Long generation) {
    WorkloadApplier applier = new WorkloadApplier(context.getClient());
    for (HasMetadata object : rendered.all()) {
      if (object instanceof PodDisruptionBudget) {
        continue;
      }
      applier.apply(object, observed.find(object));
    }
    if (rendered.podDisruptionBudgets().isEmpty()) {
      Conditions.remove(status.conditions, Conditions.DISRUPTION_BUDGETS_READY);
    } else if (OptionalApis.podDisruptionBudgetsServed(context.getClient())) {
      for (PodDisruptionBudget budget : rendered.podDisruptionBudgets()) {
        applier.apply(budget, Optional.empty());
      }
      Conditions.set(status.conditions, Conditions.DISRUPTION_BUDGETS_READY, true, "Applied",
          "PodDisruptionBudgets protect the control plane", generation, clock);
    } else {
      Conditions.set(status.conditions, Conditions.DISRUPTION_BUDGETS_READY, false, "APINotServed",
          "the management cluster does not serve policy/v1 PodDisruptionBudget; the control plane runs without "
              + "disruption budgets", generation, clock);
    }
  }

  private void reportProgress(SKSClusterStatus status, KubernetesVersion target, Observed observed,
      Optional<Endpoint> endpoint, EtcdProgress etcd, Long generation) {
    Set<ControlPlaneComponent> rolledOut = observed.rolledOut();
    boolean etcdReady = rolledOut.contains(ControlPlaneComponent.ETCD) && !etcd.growing();
    if (etcd.growing()) {
      Conditions.set(status.conditions, Conditions.ETCD_READY, false, etcd.reason().orElseThrow(), etcd.message(),
          generation, clock);
    } else {
      Conditions.set(status.conditions, Conditions.ETCD_READY, etcdReady, etcdReady ? "Available" : "RollingOut",
          etcdReady ? "every etcd member is ready" : "waiting for the etcd members to be ready", generation, clock);
    }
    List<String> waitingFor = new ArrayList<>();
    for (ControlPlaneComponent component : List.of(ControlPlaneComponent.KUBE_APISERVER,
        ControlPlaneComponent.KUBE_CONTROLLER_MANAGER, ControlPlaneComponent.KUBE_SCHEDULER)) {
      if (!rolledOut.contains(component)) {
        waitingFor.add(component.label());
      }
    }
    boolean controlPlaneReady = waitingFor.isEmpty();
    Conditions.set(status.conditions, Conditions.CONTROL_PLANE_READY, controlPlaneReady,
        controlPlaneReady ? "Available" : "RollingOut",
        controlPlaneReady ? "the API server, controller-manager and scheduler are available"
            : "waiting for " + String.join(", ", waitingFor), generation, clock);

    boolean atTarget = UpgradePlan.isComplete(target, observed.versions(), rolledOut);
    if (atTarget) {
      status.version = target.toString();
    }
    status.endpoint = endpoint.map(Endpoint::url).orElse(null);
    status.availableUpgrades = status.version == null ? new ArrayList<>()
        : catalog.availableUpgrades(KubernetesVersion.of(status.version)).stream().map(Object::toString).toList();
    boolean ready = etcdReady && controlPlaneReady && atTarget;
    if (ready) {
      status.state = ClusterState.Running;
      Conditions.set(status.conditions, Conditions.READY, true, "Running", "Kubernetes " + target + " is running",
          generation, clock);
      return;
    }
    if (status.version == null) {
      status.state = ClusterState.Creating;
    } else if (!status.version.equals(target.toString())) {
      status.state = ClusterState.Upgrading;
    } else {
      status.state = ClusterState.Updating;
    }
    String reason = status.state == ClusterState.Upgrading ? "Upgrading" : "RollingOut";
    String message = status.state == ClusterState.Upgrading
        ? "upgrading from " + status.version + " to " + target + " (etcd, then the API server, then the "
            + "controller-manager and scheduler)"
        : etcd.growing() ? etcd.message()
        : "waiting for " + (etcdReady ? String.join(", ", waitingFor) : "etcd");
    Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
  }

  /** A refused spec leaves a running cluster untouched: only the Accepted condition says what to fix. */
  private void refuse(SKSClusterStatus status, List<Violation> violations, Long generation) {
    String reason = Violation.reasonOf(violations);
    String message = Violation.messageOf(violations);
    Conditions.set(status.conditions, Conditions.ACCEPTED, false, reason, message, generation, clock);
    if (status.version == null) {
      status.state = ClusterState.Error;
      Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
    }
  }

  @Override
  public DeleteControl cleanup(SKSCluster cluster, Context<SKSCluster> context) {
    ClusterTeardown teardown = new ClusterTeardown(context.getClient());
    if (!teardown.nodepoolsGone(cluster)) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(TEARDOWN_POLL);
    }
    teardown.deleteControlPlane(cluster);
    tenantWork.forget(cluster);
    etcdFailures.remove(ResourceID.fromResource(cluster));
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<SKSCluster> updateErrorStatus(SKSCluster cluster, Context<SKSCluster> context,
      Exception e) {
    return statusWriter.error(cluster, e);
  }

  private UpdateControl<SKSCluster> patchIfChanged(SKSCluster cluster, SKSClusterStatus status) {
    return statusWriter.write(cluster, status);
  }

  /** The control plane's objects as the informers see them now. */
  record Observed(SKSCluster cluster, Map<String, HasMetadata> byKindAndName,
      Map<ControlPlaneComponent, KubernetesVersion> versions, Set<ControlPlaneComponent> rolledOut) {

    static Observed from(SKSCluster cluster, Context<SKSCluster> context) {
      Map<String, HasMetadata> byKindAndName = new java.util.HashMap<>();
      for (Class<? extends HasMetadata> type : List.of(Deployment.class, StatefulSet.class, Service.class,
          ConfigMap.class)) {
        context.getSecondaryResources(type).forEach(o -> byKindAndName.put(key(o), o));
      }
      String name = cluster.getMetadata().getName();
      Map<ControlPlaneComponent, KubernetesVersion> versions = new EnumMap<>(ControlPlaneComponent.class);
      Set<ControlPlaneComponent> rolledOut = EnumSet.noneOf(ControlPlaneComponent.class);
      StatefulSet etcd = (StatefulSet) byKindAndName.get("StatefulSet/" + Names.etcdStatefulSet(name));
      if (etcd != null) {
        Rollouts.renderedVersion(etcd).ifPresent(v -> versions.put(ControlPlaneComponent.ETCD, v));
        if (Rollouts.isRolledOut(etcd)) {
          rolledOut.add(ControlPlaneComponent.ETCD);
        }
      }
      Map<ControlPlaneComponent, String> deployments = Map.of(
          ControlPlaneComponent.KUBE_APISERVER, Names.apiserverDeployment(name),
          ControlPlaneComponent.KUBE_CONTROLLER_MANAGER, Names.controllerManagerDeployment(name),
          ControlPlaneComponent.KUBE_SCHEDULER, Names.schedulerDeployment(name));
      deployments.forEach((component, deploymentName) -> {
        Deployment deployment = (Deployment) byKindAndName.get("Deployment/" + deploymentName);
        if (deployment != null) {
          Rollouts.renderedVersion(deployment).ifPresent(v -> versions.put(component, v));
          if (Rollouts.isRolledOut(deployment)) {
            rolledOut.add(component);
          }
        }
      });
      return new Observed(cluster, byKindAndName, versions, rolledOut);
    }

    Optional<HasMetadata> find(HasMetadata desired) {
      return Optional.ofNullable(byKindAndName.get(key(desired)));
    }

    Optional<StatefulSet> etcd() {
      return Optional.ofNullable((StatefulSet) byKindAndName.get("StatefulSet/"
          + Names.etcdStatefulSet(cluster.getMetadata().getName())));
    }

    Optional<Service> apiserverService() {
      return Optional.ofNullable((Service) byKindAndName.get("Service/"
          + Names.apiserverService(cluster.getMetadata().getName())));
    }

    private static String key(HasMetadata object) {
      return object.getKind() + "/" + object.getMetadata().getName();
    }
  }
}
