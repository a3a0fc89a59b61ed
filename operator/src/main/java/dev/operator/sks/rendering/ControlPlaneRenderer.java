package dev.operator.sks.rendering;

import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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

    /** The kind and name of an object {@link #render} makes. */
    public record Named(Class<? extends HasMetadata> type, String name) {}

    /**
     * The kind and name of every object {@link #render} makes, in the order of {@link RenderedControlPlane#all}, without
     * rendering the workloads: what a cluster checks is free before it writes anything, at every reconcile. Rendering
     * them only for their names was a twentieth of the operator's CPU while a thousand clusters were made.
     */
    public static List<Named> names(ControlPlaneInputs inputs) {
        String name = inputs.name();
        List<Named> names = new ArrayList<>(List.of(
                new Named(Service.class, Names.etcdPeerService(name)),
                new Named(Service.class, Names.etcdClientService(name)),
                new Named(StatefulSet.class, Names.etcdStatefulSet(name)),
                new Named(ConfigMap.class, Names.controlPlaneConfig(name)),
                new Named(Service.class, Names.apiserverService(name)),
                new Named(Deployment.class, Names.apiserverDeployment(name)),
                new Named(Deployment.class, Names.controllerManagerDeployment(name)),
                new Named(Deployment.class, Names.schedulerDeployment(name))));
        budgets(inputs)
                .forEach(b -> names.add(
                        new Named(PodDisruptionBudget.class, b.getMetadata().getName())));
        return List.copyOf(names);
    }

    /** With etcd where its growth stands ({@link EtcdLayout}). */
    public static RenderedControlPlane render(ControlPlaneInputs inputs, EtcdLayout etcd) {
        return new RenderedControlPlane(
                EtcdRenderer.peerService(inputs),
                EtcdRenderer.clientService(inputs),
                EtcdRenderer.statefulSet(inputs, etcd),
                ApiserverRenderer.configMap(inputs),
                ApiserverRenderer.deployment(inputs),
                ControllerManagerRenderer.deployment(inputs),
                SchedulerRenderer.deployment(inputs),
                ApiserverRenderer.service(inputs),
                budgets(inputs));
    }

    private static List<PodDisruptionBudget> budgets(ControlPlaneInputs inputs) {
        List<PodDisruptionBudget> budgets = new ArrayList<>();
        EtcdRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        ApiserverRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        ControllerManagerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        SchedulerRenderer.podDisruptionBudget(inputs).ifPresent(budgets::add);
        return budgets;
    }
}
