package dev.operator.sks.validation;

import dev.operator.sks.catalog.KubernetesVersion;
import java.util.Optional;

/**
 * Which version moves a running control plane may make: forward only, one minor at a time, and never more than
 * {@value #MAX_KUBELET_SKEW} minors ahead of the oldest kubelet (the Kubernetes version skew policy).
 */
public final class UpgradePolicy {
    public static final int MAX_KUBELET_SKEW = 3;

    private UpgradePolicy() {}

    /** Empty when {@code requested} may replace {@code running}; otherwise why not. */
    public static Optional<Violation> check(
            KubernetesVersion running, KubernetesVersion requested, Optional<KubernetesVersion> oldestKubelet) {
        if (requested.compareTo(running) < 0) {
            return Optional.of(new Violation(
                    "DowngradeRefused",
                    "spec.version " + requested
                            + " is older than the running " + running
                            + ": Kubernetes cannot be downgraded; set spec.version to "
                            + running + " or newer"));
        }
        int minorsAhead = requested.minorsAheadOf(running);
        if (minorsAhead > 1) {
            return Optional.of(new Violation(
                    "UpgradeSkipsMinor",
                    "spec.version " + requested + " is " + minorsAhead
                            + " minors ahead of the running " + running + ": upgrade one minor at a time, first to "
                            + running.major() + "." + (running.minor() + 1)));
        }
        // Only a new minor can widen the skew: a cluster already too far ahead keeps running and takes patches.
        if (minorsAhead > 0
                && oldestKubelet.isPresent()
                && requested.minorsAheadOf(oldestKubelet.get()) > MAX_KUBELET_SKEW) {
            return Optional.of(new Violation(
                    "KubeletSkewTooLarge",
                    "spec.version " + requested + " would be more than "
                            + MAX_KUBELET_SKEW + " minors ahead of the oldest kubelet ("
                            + oldestKubelet.get().minorVersion()
                            + " among the cluster's Nodes, read again every few minutes); replace those nodes with current ones "
                            + "first"));
        }
        return Optional.empty();
    }
}
