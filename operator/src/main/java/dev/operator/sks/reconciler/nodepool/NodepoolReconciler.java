package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.status.StatusWriter;
import dev.operator.sks.validation.NodepoolValidator;
import dev.operator.sks.validation.Violation;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.join.JoinMaterial;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
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
 * Validates a Nodepool, gives it a stable identity, and makes and owns the InstancePool that carries everything a
 * compute provider needs; reports the pool's size and readiness back. Evictions named in the Nodepool's
 * {@code sks.operator.dev/evict} annotation are passed on, and the annotation is cleared once they are done.
 */
@ControllerConfiguration(name = "nodepool", finalizerName = Labels.FINALIZER,
    generationAwareEventProcessing = false, informer = @Informer(onUpdateFilter = NodepoolUpdateFilter.class))
public class NodepoolReconciler implements Reconciler<Nodepool>, Cleaner<Nodepool> {
  private static final Duration DELETION_POLL = Duration.ofSeconds(2);

  private final NodepoolValidator validator;
  private final Clock clock;

  private final StatusWriter<NodepoolStatus, Nodepool> statusWriter;

  public NodepoolReconciler(OperatorServices services, EventRecorder events) {
    this.statusWriter = new StatusWriter<>(NodepoolStatus.class, NodepoolStatus::new, Nodepool::new,
        s -> s.conditions, events, services.clock());
    this.validator = new NodepoolValidator(services.instanceTypes());
    this.clock = services.clock();
  }

  @Override
  public List<EventSource<?, Nodepool>> prepareEventSources(EventSourceContext<Nodepool> context) {
    InformerEventSource<InstancePool, Nodepool> pools = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(InstancePool.class, Nodepool.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Nodepool.class, false))
            .build(), context);
    return List.of(ClusterReference.eventSource(context, np -> np.getSpec() == null ? null : np.getSpec().cluster),
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
    if (!violations.isEmpty()) {
      return refuse(nodepool, status, Violation.reasonOf(violations), Violation.messageOf(violations));
    }
    Optional<SKSCluster> cluster = context.getSecondaryResource(SKSCluster.class);
    if (cluster.isEmpty()) {
      return refuse(nodepool, status, "ClusterNotFound", "SKSCluster '" + nodepool.getSpec().cluster
          + "' does not exist in namespace " + nodepool.getMetadata().getNamespace()
          + "; create it or correct spec.cluster");
    }
    status.cluster = nodepool.getSpec().cluster;
    Conditions.set(status.conditions, Conditions.ACCEPTED, true, "Valid", "the spec is valid", generation, clock);

    List<String> evictions = InstancePools.evictions(nodepool);
    InstancePool desired = InstancePools.desired(nodepool, cluster.get(), status.id, evictions);
    Optional<InstancePool> observed = context.getSecondaryResource(InstancePool.class);
    if (observed.isEmpty() || specChanged(observed.get(), desired)) {
      context.getClient().resource(desired).fieldManager(Labels.FIELD_MANAGER).forceConflicts().serverSideApply();
    }
    observed.ifPresent(pool -> clearDoneEvictions(context.getClient(), nodepool, pool, evictions));
    observed.ifPresent(pool -> ensureUserData(context.getClient(), cluster.get(), nodepool, pool, status));
    reportPool(nodepool, status, observed, generation);
    return patchIfChanged(nodepool, status);
  }

  /**
   * The machines' user-data (join token, endpoint, CA, node labels and taints), owned by the InstancePool. It needs
   * only the cluster's PKI and endpoint, never the tenant API, so pools never wait on a tenant that is starting.
   */
  private void ensureUserData(KubernetesClient client, SKSCluster cluster, Nodepool nodepool, InstancePool pool,
      NodepoolStatus status) {
    OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(pool.getApiVersion()).withKind(pool.getKind())
        .withName(pool.getMetadata().getName()).withUid(pool.getMetadata().getUid()).withController(true)
        .withBlockOwnerDeletion(true).build();
    JoinMaterial.Outcome outcome = new JoinMaterial(client, clock).ensureUserData(cluster, status.instancePool,
        status.id, InstancePools.nodeLabels(nodepool, status.id), Defaults.taints(nodepool.getSpec()), owner);
    Long generation = nodepool.getMetadata().getGeneration();
    if (outcome instanceof JoinMaterial.Waiting waiting) {
      Conditions.set(status.conditions, Conditions.USER_DATA_READY, false, waiting.reason(), waiting.message(),
          generation, clock);
    } else {
      Conditions.set(status.conditions, Conditions.USER_DATA_READY, true, "Rendered",
          "new machines boot with a current join token", generation, clock);
    }
  }

  private static boolean specChanged(InstancePool observed, InstancePool desired) {
    return !StatusPatches.SERIALIZATION.asJson(observed.getSpec())
        .equals(StatusPatches.SERIALIZATION.asJson(desired.getSpec()));
  }

  /** The pool removed the named instances: the annotation has done its job and is cleared, as the issue asks. */
  private static void clearDoneEvictions(KubernetesClient client, Nodepool nodepool, InstancePool pool,
      List<String> evictions) {
    if (evictions.isEmpty() || pool.getStatus() == null || pool.getStatus().evicted == null
        || !pool.getStatus().evicted.containsAll(evictions)) {
      return;
    }
    String escapedKey = Labels.EVICT_ANNOTATION.replace("~", "~0").replace("/", "~1");
    client.resources(Nodepool.class).inNamespace(nodepool.getMetadata().getNamespace())
        .withName(nodepool.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/annotations/"
            + escapedKey + "\"}]");
  }

  private void reportPool(Nodepool nodepool, NodepoolStatus status, Optional<InstancePool> observed,
      Long generation) {
    int wanted = nodepool.getSpec().size;
    if (observed.isEmpty() || observed.get().getStatus() == null) {
      status.size = 0;
      status.readyNodes = 0;
      status.state = PoolState.Creating;
      Conditions.set(status.conditions, Conditions.READY, false, "Provisioning",
          "the instance pool " + status.instancePool + " is being created", generation, clock);
      return;
    }
    var poolStatus = observed.get().getStatus();
    status.size = poolStatus.size == null ? 0 : poolStatus.size;
    status.readyNodes = (int) poolStatus.instances.stream()
        .filter(i -> i.nodeName != null && "Running".equals(i.state)).count();
    boolean running = poolStatus.runningInstances != null && poolStatus.runningInstances == wanted
        && status.size == wanted;
    if (poolStatus.state == PoolState.Error) {
      status.state = PoolState.Error;
    } else if (running) {
      status.state = PoolState.Running;
    } else {
      status.state = status.state == PoolState.Running || status.state == PoolState.Scaling ? PoolState.Scaling
          : PoolState.Creating;
    }
    Optional<io.fabric8.kubernetes.api.model.Condition> poolReady =
        Conditions.find(poolStatus.conditions, Conditions.READY);
    Conditions.set(status.conditions, Conditions.READY, running, running ? "Running"
            : poolReady.map(io.fabric8.kubernetes.api.model.Condition::getReason).orElse("Converging"),
        poolReady.map(io.fabric8.kubernetes.api.model.Condition::getMessage)
            .orElse(status.size + " of " + wanted + " instances"), generation, clock);
  }

  private UpdateControl<Nodepool> refuse(Nodepool nodepool, NodepoolStatus status, String reason, String message) {
    Long generation = nodepool.getMetadata().getGeneration();
    Conditions.set(status.conditions, Conditions.ACCEPTED, false, reason, message, generation, clock);
    Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
    status.state = PoolState.Error;
    return patchIfChanged(nodepool, status);
  }

  /** The InstancePool (and through its own finalizer, the machines) goes first; then the Nodepool. */
  @Override
  public DeleteControl cleanup(Nodepool nodepool, Context<Nodepool> context) {
    String poolName = Names.instancePool(nodepool.getMetadata().getName(), nodepool.getMetadata().getUid());
    var pool = context.getClient().resources(InstancePool.class).inNamespace(nodepool.getMetadata().getNamespace())
        .withName(poolName);
    if (pool.get() == null) {
      return DeleteControl.defaultDelete();
    }
    pool.delete();
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(DELETION_POLL);
  }

  @Override
  public ErrorStatusUpdateControl<Nodepool> updateErrorStatus(Nodepool nodepool, Context<Nodepool> context,
      Exception e) {
    return statusWriter.error(nodepool, e);
  }

  private UpdateControl<Nodepool> patchIfChanged(Nodepool nodepool, NodepoolStatus status) {
    return statusWriter.write(nodepool, status);
  }
}
