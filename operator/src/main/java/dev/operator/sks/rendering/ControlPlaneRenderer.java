package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole control plane of one cluster, from the per-component renderers ({@link EtcdRenderer},
 * {@link ApiserverRenderer}, {@link ControllerManagerRenderer}, {@link SchedulerRenderer}); a dependent resource that
 * manages one object can call those directly.
 */
public final class ControlPlaneRenderer {
  private ControlPlaneRenderer() {}

  public static RenderedControlPlane render(ControlPlaneInputs inputs) {
    List<PodDisruptionBudget> budgets = new ArrayList<>();
    EtcdRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
    ApiserverRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
    ControllerManagerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
    SchedulerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
    return new RenderedControlPlane(
        EtcdRenderer.peerService(inputs),
        EtcdRenderer.clientService(inputs),
        EtcdRenderer.statefulSet(inputs),
        ApiserverRenderer.configMap(inputs),
        ApiserverRenderer.deployment(inputs),
        ControllerManagerRenderer.deployment(inputs),
        SchedulerRenderer.deployment(inputs),
        ApiserverRenderer.service(inputs),
        budgets);
  }
}
