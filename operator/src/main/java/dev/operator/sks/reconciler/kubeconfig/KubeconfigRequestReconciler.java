package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.runtime.OperatorServices;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.status.StatusPatches;
import dev.operator.sks.validation.KubeconfigRequestValidator;
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

/** Validates a KubeconfigRequest and waits for its cluster to be Ready before issuing. */
@ControllerConfiguration(name = "kubeconfigrequest")
public class KubeconfigRequestReconciler implements Reconciler<KubeconfigRequest> {
  private final Clock clock;

  public KubeconfigRequestReconciler(OperatorServices services) {
    this.clock = services.clock();
  }

  @Override
  public List<EventSource<?, KubeconfigRequest>> prepareEventSources(
      EventSourceContext<KubeconfigRequest> context) {
    return List.of(ClusterReference.eventSource(context, r -> r.getSpec() == null ? null : r.getSpec().cluster));
  }

  @Override
  public UpdateControl<KubeconfigRequest> reconcile(KubeconfigRequest request, Context<KubeconfigRequest> context) {
    KubeconfigRequestStatus status = StatusPatches.copy(request.getStatus(), KubeconfigRequestStatus.class,
        KubeconfigRequestStatus::new);
    Long generation = request.getMetadata().getGeneration();
    status.observedGeneration = generation;
    List<Violation> violations = KubeconfigRequestValidator.validate(request.getSpec());
    if (!violations.isEmpty()) {
      notReady(status, Violation.reasonOf(violations), Violation.messageOf(violations), generation);
      return patchIfChanged(request, status);
    }
    status.secretName = Defaults.secretName(request);
    Optional<SKSCluster> cluster = context.getSecondaryResource(SKSCluster.class);
    if (cluster.isEmpty()) {
      notReady(status, "ClusterNotFound", "SKSCluster '" + request.getSpec().cluster + "' does not exist in namespace "
          + request.getMetadata().getNamespace() + "; create it or correct spec.cluster", generation);
    } else if (cluster.get().getStatus() == null
        || !Conditions.isTrue(cluster.get().getStatus().conditions, Conditions.READY)) {
      notReady(status, "WaitingForCluster", "waiting for SKSCluster '" + request.getSpec().cluster
          + "' to be Ready", generation);
    }
    return patchIfChanged(request, status);
  }

  private void notReady(KubeconfigRequestStatus status, String reason, String message, Long generation) {
    Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation, clock);
  }

  @Override
  public ErrorStatusUpdateControl<KubeconfigRequest> updateErrorStatus(KubeconfigRequest request,
      Context<KubeconfigRequest> context, Exception e) {
    KubeconfigRequestStatus status = StatusPatches.copy(request.getStatus(), KubeconfigRequestStatus.class,
        KubeconfigRequestStatus::new);
    notReady(status, "ReconcileError", StatusPatches.describe(e), request.getMetadata().getGeneration());
    return ErrorStatusUpdateControl.patchStatus(StatusPatches.statusOnly(request, status, KubeconfigRequest::new));
  }

  private static UpdateControl<KubeconfigRequest> patchIfChanged(KubeconfigRequest request,
      KubeconfigRequestStatus status) {
    return StatusPatches.differ(request.getStatus(), status)
        ? UpdateControl.patchStatus(StatusPatches.statusOnly(request, status, KubeconfigRequest::new))
        : UpdateControl.noUpdate();
  }
}
