package dev.operator.sks.rendering;

import dev.operator.sks.catalog.KubernetesVersion;
import java.util.Objects;

/**
 * The Kubernetes patch each control-plane component is rendered at. Equal for all components except while an
 * upgrade rolls through them in order (see {@link UpgradePlan}).
 */
public record ComponentVersions(
        KubernetesVersion etcd,
        KubernetesVersion apiserver,
        KubernetesVersion controllerManager,
        KubernetesVersion scheduler) {

    public ComponentVersions {
        requirePatch(etcd, "etcd");
        requirePatch(apiserver, "apiserver");
        requirePatch(controllerManager, "controllerManager");
        requirePatch(scheduler, "scheduler");
    }

    public static ComponentVersions allAt(KubernetesVersion version) {
        return new ComponentVersions(version, version, version, version);
    }

    public KubernetesVersion of(ControlPlaneComponent component) {
        return switch (component) {
            case ETCD -> etcd;
            case KUBE_APISERVER -> apiserver;
            case KUBE_CONTROLLER_MANAGER -> controllerManager;
            case KUBE_SCHEDULER -> scheduler;
        };
    }

    private static void requirePatch(KubernetesVersion version, String what) {
        Objects.requireNonNull(version, what);
        if (!version.isPatch()) {
            throw new IllegalArgumentException(what + " must be a patch version (1.NN.P), was " + version);
        }
    }
}
