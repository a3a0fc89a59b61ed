package dev.operator.sks.rendering;

import dev.operator.sks.catalog.Component;

/** The workloads of a hosted control plane, in the order they are upgraded. */
public enum ControlPlaneComponent {
    ETCD(Component.ETCD),
    KUBE_APISERVER(Component.KUBE_APISERVER),
    KUBE_CONTROLLER_MANAGER(Component.KUBE_CONTROLLER_MANAGER),
    KUBE_SCHEDULER(Component.KUBE_SCHEDULER);

    private final Component image;

    ControlPlaneComponent(Component image) {
        this.image = image;
    }

    /** The catalog entry naming this component's image. */
    public Component image() {
        return image;
    }

    /** Value of {@code app.kubernetes.io/component} on its objects and pods. */
    public String label() {
        return image.key();
    }
}
