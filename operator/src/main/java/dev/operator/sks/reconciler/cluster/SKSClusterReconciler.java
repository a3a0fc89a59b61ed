package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.runtime.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.validation.ClusterValidator;
import dev.operator.sks.validation.Violation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Turns an SKSCluster into a hosted control plane; refuses what it cannot run and says why in a condition. */
@ControllerConfiguration(name = "skscluster")
public class SKSClusterReconciler implements Reconciler<SKSCluster> {
  private final ClusterValidator validator;
  private final Clock clock;

  public SKSClusterReconciler(OperatorServices services) {
    this.validator = new ClusterValidator(services.versions(), services.config().zones());
    this.clock = services.clock();
  }

  @Override
  public UpdateControl<SKSCluster> reconcile(SKSCluster cluster, Context<SKSCluster> context) {
    SKSClusterStatus status = StatusPatches.copy(cluster.getStatus(), SKSClusterStatus.class, SKSClusterStatus::new);
    Long generation = cluster.getMetadata().getGeneration();
    List<Violation> violations = validator.validate(cluster.getSpec(), status, Optional.empty());
    if (!violations.isEmpty()) {
      refuse(status, violations, generation);
    } else {
      Conditions.set(status.conditions, Conditions.ACCEPTED, true, "Valid", "the spec is valid", generation, clock);
      status.zone = cluster.getSpec().zone;
      status.level = Defaults.level(cluster.getSpec());
      if (status.state == null || status.state == ClusterState.Error) {
        status.state = ClusterState.Creating;
      }
      if (Conditions.find(status.conditions, Conditions.READY).isEmpty()
          || !Conditions.isTrue(status.conditions, Conditions.READY)) {
        Conditions.set(status.conditions, Conditions.READY, false, "Provisioning",
            "the control plane is being provisioned", generation, clock);
      }
    }
    status.observedGeneration = generation;
    return patchIfChanged(cluster, status);
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
  public ErrorStatusUpdateControl<SKSCluster> updateErrorStatus(SKSCluster cluster, Context<SKSCluster> context,
      Exception e) {
    SKSClusterStatus status = StatusPatches.copy(cluster.getStatus(), SKSClusterStatus.class, SKSClusterStatus::new);
    Conditions.set(status.conditions, Conditions.READY, false, "ReconcileError", StatusPatches.describe(e),
        cluster.getMetadata().getGeneration(), clock);
    return ErrorStatusUpdateControl.patchStatus(StatusPatches.statusOnly(cluster, status, SKSCluster::new));
  }

  private static UpdateControl<SKSCluster> patchIfChanged(SKSCluster cluster, SKSClusterStatus status) {
    return StatusPatches.differ(cluster.getStatus(), status)
        ? UpdateControl.patchStatus(StatusPatches.statusOnly(cluster, status, SKSCluster::new))
        : UpdateControl.noUpdate();
  }
}
