package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.runtime.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.validation.NodepoolValidator;
import dev.operator.sks.validation.Violation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Validates a Nodepool against its cluster and the instance type catalog, and gives it a stable identity. */
@ControllerConfiguration(name = "nodepool")
public class NodepoolReconciler implements Reconciler<Nodepool> {
  private final NodepoolValidator validator;
  private final Clock clock;

  public NodepoolReconciler(OperatorServices services) {
    this.validator = new NodepoolValidator(services.instanceTypes());
    this.clock = services.clock();
  }

  @Override
  public List<EventSource<?, Nodepool>> prepareEventSources(EventSourceContext<Nodepool> context) {
    return List.of(ClusterReference.eventSource(context, np -> np.getSpec() == null ? null : np.getSpec().cluster));
  }

  @Override
  public UpdateControl<Nodepool> reconcile(Nodepool nodepool, Context<Nodepool> context) {
    NodepoolStatus status = StatusPatches.copy(nodepool.getStatus(), NodepoolStatus.class, NodepoolStatus::new);
    Long generation = nodepool.getMetadata().getGeneration();
    // The object's UID is already a stable UUID: deriving the id from it cannot race or change.
    status.id = nodepool.getMetadata().getUid();
    status.instancePool = Names.instancePool(nodepool.getMetadata().getName(), status.id);
    status.selector = Labels.NODEPOOL_ID + "=" + status.id;
    status.observedGeneration = generation;

    List<Violation> violations = validator.validate(nodepool.getSpec(), status);
    if (!violations.isEmpty()) {
      String reason = Violation.reasonOf(violations);
      String message = Violation.messageOf(violations);
      Conditions.set(status.conditions, Conditions.ACCEPTED, false, reason, message, generation, clock);
      Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
      status.state = PoolState.Error;
      return patchIfChanged(nodepool, status);
    }
    Optional<SKSCluster> cluster = context.getSecondaryResource(SKSCluster.class);
    if (cluster.isEmpty()) {
      String message = "SKSCluster '" + nodepool.getSpec().cluster + "' does not exist in namespace "
          + nodepool.getMetadata().getNamespace() + "; create it or correct spec.cluster";
      Conditions.set(status.conditions, Conditions.ACCEPTED, false, "ClusterNotFound", message, generation, clock);
      Conditions.set(status.conditions, Conditions.READY, false, "ClusterNotFound", message, generation, clock);
      status.state = PoolState.Error;
      return patchIfChanged(nodepool, status);
    }
    status.cluster = nodepool.getSpec().cluster;
    Conditions.set(status.conditions, Conditions.ACCEPTED, true, "Valid", "the spec is valid", generation, clock);
    if (status.state == null || status.state == PoolState.Error) {
      status.state = PoolState.Creating;
    }
    if (!Conditions.isTrue(status.conditions, Conditions.READY)) {
      Conditions.set(status.conditions, Conditions.READY, false, "Provisioning",
          "the instance pool is being provisioned", generation, clock);
    }
    return patchIfChanged(nodepool, status);
  }

  @Override
  public ErrorStatusUpdateControl<Nodepool> updateErrorStatus(Nodepool nodepool, Context<Nodepool> context,
      Exception e) {
    NodepoolStatus status = StatusPatches.copy(nodepool.getStatus(), NodepoolStatus.class, NodepoolStatus::new);
    Conditions.set(status.conditions, Conditions.READY, false, "ReconcileError", StatusPatches.describe(e),
        nodepool.getMetadata().getGeneration(), clock);
    return ErrorStatusUpdateControl.patchStatus(StatusPatches.statusOnly(nodepool, status, Nodepool::new));
  }

  private static UpdateControl<Nodepool> patchIfChanged(Nodepool nodepool, NodepoolStatus status) {
    return StatusPatches.differ(nodepool.getStatus(), status)
        ? UpdateControl.patchStatus(StatusPatches.statusOnly(nodepool, status, Nodepool::new))
        : UpdateControl.noUpdate();
  }
}
