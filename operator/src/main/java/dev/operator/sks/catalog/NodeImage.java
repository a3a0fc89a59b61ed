package dev.operator.sks.catalog;

import java.util.Objects;

/**
 * The machine image a provider boots a minor's nodes from by default, as the version catalog names it.
 *
 * @param image    an Exoscale template name, a KubeVirt container disk reference
 * @param bakedIn  whether the image carries containerd, kubelet and kubeadm of the minor (so the user-data installs
 *                 nothing); false means a plain distribution image, on which the user-data installs them first
 */
public record NodeImage(String image, boolean bakedIn) {
    public NodeImage {
        Objects.requireNonNull(image, "image");
    }
}
