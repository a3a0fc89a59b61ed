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

    /** A control plane made at its level's size. */
    public static RenderedControlPlane render(ControlPlaneInputs inputs) {
        return render(inputs, fullEtcdLayout(inputs));
    }

    /** etcd with every member of the cluster's level, as a cluster made at that level starts. */
    public static EtcdLayout fullEtcdLayout(ControlPlaneInputs inputs) {
        return EtcdLayout.fresh(EtcdRenderer.members(inputs.model().level()));
    }

    /** With etcd where its growth stands ({@link EtcdLayout}). */
    public static RenderedControlPlane render(ControlPlaneInputs inputs, EtcdLayout etcd) {
        List<PodDisruptionBudget> budgets = new ArrayList<>();
        EtcdRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        ApiserverRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        ControllerManagerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        SchedulerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        return new RenderedControlPlane(
                EtcdRenderer.peerService(inputs),
                EtcdRenderer.clientService(inputs),
                EtcdRenderer.statefulSet(inputs, etcd),
                ApiserverRenderer.configMap(inputs),
                ApiserverRenderer.deployment(inputs),
                ControllerManagerRenderer.deployment(inputs),
                SchedulerRenderer.deployment(inputs),
                ApiserverRenderer.service(inputs),
                budgets);
    }
}
