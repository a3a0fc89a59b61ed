package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.runtime.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusPatches;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Drives an InstancePool's machines through the configured ComputeProvider: evictions by name first, then the
 * size, then the status lists what exists. Provider trouble is a condition and a bounded retry, never a hot loop.
 */
@ControllerConfiguration(name = "instancepool", finalizerName = Labels.FINALIZER)
public class InstancePoolReconciler implements Reconciler<InstancePool>, Cleaner<InstancePool> {
  public static final String USER_DATA_KEY = "userData";
  static final Duration PROVIDER_RETRY = Duration.ofSeconds(30);
  static final Duration STARTING_POLL = Duration.ofSeconds(2);

  private final OperatorServices services;
  private final ComputeProvider provider;
  private final Clock clock;

  public InstancePoolReconciler(OperatorServices services, ComputeProvider provider) {
    this.services = services;
    this.provider = provider;
    this.clock = services.clock();
  }

  @Override
  public UpdateControl<InstancePool> reconcile(InstancePool pool, Context<InstancePool> context) {
    InstancePoolStatus status = StatusPatches.copy(pool.getStatus(), InstancePoolStatus.class,
        InstancePoolStatus::new);
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
    return patch(pool, status, converged && !starting ? Optional.empty() : Optional.of(STARTING_POLL));
  }

  private Optional<String> userData(InstancePool pool, Context<InstancePool> context) {
    String name = pool.getSpec().userDataSecretName;
    if (name == null) {
      return Optional.empty();
    }
    Secret secret = context.getClient().secrets().inNamespace(pool.getMetadata().getNamespace()).withName(name)
        .get();
    if (secret == null || secret.getData() == null || secret.getData().get(USER_DATA_KEY) == null) {
      return Optional.empty();
    }
    return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(USER_DATA_KEY)),
        StandardCharsets.UTF_8));
  }

  @Override
  public DeleteControl cleanup(InstancePool pool, Context<InstancePool> context) {
    Optional<InstanceType> type = services.instanceTypes().find(pool.getSpec().instanceType);
    if (type.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    String providerId = pool.getStatus() == null ? null : pool.getStatus().providerId;
    try {
      if (provider.delete(DesiredPool.from(pool, type.get(), "").withProviderId(providerId))) {
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
    InstancePoolStatus status = StatusPatches.copy(pool.getStatus(), InstancePoolStatus.class,
        InstancePoolStatus::new);
    Conditions.set(status.conditions, Conditions.READY, false, "ReconcileError", StatusPatches.describe(e),
        pool.getMetadata().getGeneration(), clock);
    return ErrorStatusUpdateControl.patchStatus(StatusPatches.statusOnly(pool, status, InstancePool::new));
  }

  private UpdateControl<InstancePool> fail(InstancePool pool, InstancePoolStatus status, String reason,
      String message, Optional<Duration> retry) {
    Conditions.set(status.conditions, Conditions.READY, false, reason, message, pool.getMetadata().getGeneration(),
        clock);
    status.state = PoolState.Error;
    return patch(pool, status, retry);
  }

  private static UpdateControl<InstancePool> patch(InstancePool pool, InstancePoolStatus status,
      Optional<Duration> reschedule) {
    UpdateControl<InstancePool> control = StatusPatches.differ(pool.getStatus(), status)
        ? UpdateControl.patchStatus(StatusPatches.statusOnly(pool, status, InstancePool::new))
        : UpdateControl.noUpdate();
    reschedule.ifPresent(control::rescheduleAfter);
    return control;
  }
}
