package dev.operator.sks.rendering;

import dev.operator.sks.catalog.KubernetesVersion;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The order a control plane moves to a new version in, as Kubernetes' version-skew policy wants it: etcd first, then
 * the API servers once etcd runs the target and is ready, then controller-manager and scheduler once the API servers
 * do. A component not created yet goes straight to the target; nothing runs against it yet.
 */
public final class UpgradePlan {
    private UpgradePlan() {}

    /**
     * The version to render each component at now.
     *
     * @param target   the patch the cluster should run
     * @param observed the version each existing component was rendered at ({@link Rollouts#renderedVersion})
     * @param ready    the components whose rollout is complete and whose pods are ready ({@link Rollouts})
     */
    public static ComponentVersions next(
            KubernetesVersion target,
            Map<ControlPlaneComponent, KubernetesVersion> observed,
            Set<ControlPlaneComponent> ready) {
        Objects.requireNonNull(target, "target");
        KubernetesVersion etcd = target;
        KubernetesVersion apiserver = settled(ControlPlaneComponent.ETCD, target, observed, ready)
                ? target
                : observed.getOrDefault(ControlPlaneComponent.KUBE_APISERVER, target);
        boolean apiserverSettled = settled(ControlPlaneComponent.KUBE_APISERVER, target, observed, ready);
        KubernetesVersion controllerManager = apiserverSettled
                ? target
                : observed.getOrDefault(ControlPlaneComponent.KUBE_CONTROLLER_MANAGER, target);
        KubernetesVersion scheduler =
                apiserverSettled ? target : observed.getOrDefault(ControlPlaneComponent.KUBE_SCHEDULER, target);
        return new ComponentVersions(etcd, apiserver, controllerManager, scheduler);
    }

    /** Whether every component runs the target and is ready: the end of an upgrade (state back to Running). */
    public static boolean isComplete(
            KubernetesVersion target,
            Map<ControlPlaneComponent, KubernetesVersion> observed,
            Set<ControlPlaneComponent> ready) {
        for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
            if (!settled(component, target, observed, ready)) {
                return false;
            }
        }
        return true;
    }

    private static boolean settled(
            ControlPlaneComponent component,
            KubernetesVersion target,
            Map<ControlPlaneComponent, KubernetesVersion> observed,
            Set<ControlPlaneComponent> ready) {
        return target.equals(observed.get(component)) && ready.contains(component);
    }
}
