package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;

/**
 * Every desired object of one cluster's control plane. PodDisruptionBudgets are separate: they exist for pro only,
 * and need policy/v1, which a management cluster may not serve.
 */
public record RenderedControlPlane(
        Service etcdPeerService,
        Service etcdClientService,
        StatefulSet etcd,
        ConfigMap controlPlaneConfig,
        Deployment apiserver,
        Deployment controllerManager,
        Deployment scheduler,
        Service apiserverService,
        List<PodDisruptionBudget> podDisruptionBudgets) {

    public RenderedControlPlane {
        podDisruptionBudgets = List.copyOf(podDisruptionBudgets);
    }

    /** All objects, in the order they are best applied: what a component needs comes before it. */
    public List<HasMetadata> all() {
        List<HasMetadata> all = new ArrayList<>(List.of(
                etcdPeerService,
                etcdClientService,
                etcd,
                controlPlaneConfig,
                apiserverService,
                apiserver,
                controllerManager,
                scheduler));
        all.addAll(podDisruptionBudgets);
        return List.copyOf(all);
    }
}
