package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.KubeletServingApprover;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.Secret;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Drives an InstancePool's machines through the configured ComputeProvider: evictions by name first, then the
 * size, then the status lists what exists. Provider trouble is a condition and a bounded retry, never a hot loop.
 */
@ControllerConfiguration(name = "instancepool", finalizerName = Labels.FINALIZER)
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {
  static final Duration PROVIDER_RETRY = Duration.ofSeconds(30);
  static final Duration STARTING_POLL = Duration.ofSeconds(2);

  private final OperatorServices services;
  private final ComputeProvider provider;
  private final PoolNodes nodes;
  private final Optional<KubeletServingApprover> servingApprover;
  private final Clock clock;

  /**
   * @param nodes           the instances' tenant Nodes: played for simulated instances, read for real ones
   * @param servingApprover approves the serving certificates of real machines' kubelets
   */
  private final StatusWriter<InstancePoolStatus, InstancePool> statusWriter;

  public InstancePoolReconciler(OperatorServices services, ComputeProvider provider, PoolNodes nodes,
      KubeletServingApprover servingApprover, EventRecorder events) {
    this.statusWriter = new StatusWriter<>(InstancePoolStatus.class, InstancePoolStatus::new, InstancePool::new,
        s -> s.conditions, events, services.clock());
    this.services = services;
    this.provider = provider;
    this.nodes = nodes;
    // Only real machines run kubelets that ask for serving certificates.
    this.servingApprover = nodes.simulating() ? Optional.empty() : Optional.ofNullable(servingApprover);
    this.clock = services.clock();
  }

  /** The user-data Secret appearing or changing (a rotated join token) wakes its pool. */
  @Override
  public List<EventSource<?, InstancePool>> prepareEventSources(EventSourceContext<InstancePool> context) {
    return List.of(new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, InstancePool.class)
        .withNamespacesInheritedFromController()
        .withLabelSelector(Labels.COMPONENT + "=" + Labels.JOIN_COMPONENT)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(InstancePool.class, false))
        .build(), context));
  }

  @Override
  public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
    InstancePoolStatus status = statusWriter.copy(pool);
    Long generation = pool.getMetadata().getGeneration();
    status.observedGeneration = generation;
    Optional<InstanceType> type = services.instanceTypes().find(pool.getSpec().instanceType);
    if (type.isEmpty()) {
      return fail(pool, status, "InstanceTypeNotFound", "instance type " + pool.getSpec().instanceType
          + " is not in the catalog", Optional.empty());
    }
    Optional<String> userData = userData(pool, context);
    if (userData.isEmpty()) {
      Conditions.set(status.conditions, Conditions.READY, false, "WaitingForUserData", "waiting for the user-data "
          + "Secret " + pool.getSpec().userDataSecretName + " (rendered once the cluster's PKI exists)", generation,
          clock);
      status.state = PoolState.Creating;
      return patch(pool, status, Optional.empty());
    }
    DesiredPool desired = DesiredPool.from(pool, type.get(), userData.get()).withProviderId(status.providerId);
    ProviderPool observed;
    try {
      List<String> evict = pool.getSpec().evict == null ? List.of() : pool.getSpec().evict;
      if (!evict.isEmpty()) {
        provider.evict(desired, evict);
        status.evicted = new ArrayList<>(evict);
      } else {
        status.evicted = new ArrayList<>();
      }
      observed = provider.reconcile(desired);
    } catch (ProviderException e) {
      return fail(pool, status, "ProviderError", provider.name() + ": " + e.getMessage(),
          Optional.of(PROVIDER_RETRY));
    }
    status.providerId = observed.providerId();
    status.instances = observed.members().stream().map(ProviderInstance::toStatus).toList();
    servingApprover.ifPresent(a -> a.track(desired.key(), new ClusterKey(desired.namespace(), desired.cluster()),
        observed.members().stream().collect(Collectors.toMap(ProviderInstance::name, ProviderInstance::addresses,
            (first, second) -> first))));
    status.size = status.instances.size();
    status.runningInstances = (int) observed.runningCount();
    int wanted = desired.size();
    boolean converged = status.size == wanted && status.runningInstances == wanted;
    PoolState previous = pool.getStatus() == null ? null : pool.getStatus().state;
    boolean ranBefore = previous == PoolState.Running || previous == PoolState.Scaling;
    status.state = converged ? PoolState.Running : ranBefore ? PoolState.Scaling : PoolState.Creating;
    Conditions.set(status.conditions, Conditions.READY, converged, converged ? "Running" : "Converging",
        status.runningInstances + " of " + wanted + " instances running", generation, clock);
    boolean starting = observed.members().stream().anyMatch(i -> i.state() == InstanceState.Starting);
    Optional<Duration> reschedule = converged && !starting ? Optional.empty() : Optional.of(STARTING_POLL);
    Optional<Duration> nodesRetry = trackNodes(desired, observed, status, generation);
    return patch(pool, status, earliest(reschedule, nodesRetry));
  }

  /**
   * Asks for the pool's Nodes (simulated: to match its running instances; real: as their kubelets registered them)
   * and fills in the node names the last sync found Ready. Never waits on the tenant: the sync runs in the
   * background, and this says when to look again: while the Nodes are not in sync, and for real machines always,
   * since a Node may stop being Ready without any event here.
   */
  private Optional<Duration> trackNodes(DesiredPool desired, ProviderPool observed, InstancePoolStatus status,
      Long generation) {
    PoolNodes.Request request = nodeRequest(desired,
        observed.members().stream().filter(ProviderInstance::isRunning).toList());
    Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last = nodes.request(request);
    Set<String> ready = last.map(o -> o.result().readyNodes()).orElse(Set.of());
    for (Instance instance : status.instances) {
      boolean registered = InstanceState.Running.name().equals(instance.state) && ready.contains(instance.name);
      instance.nodeName = registered ? instance.name : null;
    }
    boolean inSync = last.filter(o -> o.result().synced() && o.input().equals(request)).isPresent();
    Optional<Duration> keepObserving = nodes.simulating() ? Optional.empty() : Optional.of(PoolNodes.OBSERVE_INTERVAL);
    if (inSync) {
      Conditions.set(status.conditions, Conditions.NODES_REGISTERED, true, last.get().result().reason(),
          last.get().result().message(), generation, clock);
      return keepObserving;
    }
    boolean failed = last.isPresent() && !last.get().result().synced();
    Conditions.set(status.conditions, Conditions.NODES_REGISTERED, false,
        failed ? last.get().result().reason() : "Registering",
        failed ? last.get().result().message() : nodes.simulating()
            ? "registering the running instances' Nodes in the tenant cluster"
            : "reading the running instances' Nodes in the tenant cluster",
        generation, clock);
    return earliest(Optional.of(nodes.retryAfter(request.pool())), keepObserving);
  }

  private static PoolNodes.Request nodeRequest(DesiredPool desired, List<ProviderInstance> running) {
    return new PoolNodes.Request(desired.key(), new ClusterKey(desired.namespace(), desired.cluster()),
        desired.nodeLabels().get(Labels.NODEPOOL_ID), desired.nodeLabels(), desired.taints(), desired.instanceType(),
        running);
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.or(() -> b);
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }

  private Optional<String> userData(InstancePool pool, Context<InstancePool> context) {
    String name = pool.getSpec().userDataSecretName;
    if (name == null) {
      return Optional.empty();
    }
    Secret secret = context.getSecondaryResources(Secret.class).stream()
        .filter(s -> name.equals(s.getMetadata().getName())).findFirst()
        .orElseGet(() -> context.getClient().secrets().inNamespace(pool.getMetadata().getNamespace())
            .withName(name).get());
    if (secret == null || secret.getData() == null || secret.getData().get(Names.USER_DATA_KEY) == null) {
      return Optional.empty();
    }
    return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(Names.USER_DATA_KEY)),
        StandardCharsets.UTF_8));
  }

  @Override
  public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
    Optional<InstanceType> type = services.instanceTypes().find(pool.getSpec().instanceType);
    if (type.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    String providerId = pool.getStatus() == null ? null : pool.getStatus().providerId;
    DesiredPool desired = DesiredPool.from(pool, type.get(), "").withProviderId(providerId);
    try {
      if (provider.delete(desired)) {
        // The instances are gone, and so go their Nodes (in the background, if the tenant answers).
        nodes.release(nodeRequest(desired, List.of()));
        servingApprover.ifPresent(a -> a.forget(desired.key()));
        return DeleteControl.defaultDelete();
      }
    } catch (ProviderException e) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(PROVIDER_RETRY);
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(STARTING_POLL);
  }

  @Override
  public ErrorStatusUpdateControl<InstancePool> updateErrorStatus(InstancePool pool, Context<InstancePool> context,
      Exception e) {
    return statusWriter.error(pool, e);
  }

  private UpdateControl<InstancePool> fail(InstancePool pool, InstancePoolStatus status, String reason,
      String message, Optional<Duration> retry) {
    Conditions.set(status.conditions, Conditions.READY, false, reason, message, pool.getMetadata().getGeneration(),
        clock);
    status.state = PoolState.Error;
    return patch(pool, status, retry);
  }

  private UpdateControl<InstancePool> patch(InstancePool pool, InstancePoolStatus status,
      Optional<Duration> reschedule) {
    UpdateControl<InstancePool> control = statusWriter.write(pool, status);
    reschedule.ifPresent(control::rescheduleAfter);
    return control;
  }
}
