package dev.operator.sks.sizing;

import dev.operator.sks.api.ControlPlaneSize;
import java.util.Objects;
import java.util.Optional;

/**
 * What a control plane runs at one size: the API server's replicas, each component's requests, and the load the size
 * is made for. The renderers read it through {@code ControlPlaneInputs.size()}, and nothing else decides these figures.
 *
 * @param size              the named size; empty for a starter control plane, which has one fixed profile
 * @param apiserverReplicas kube-apiserver (with konnectivity-server) pods
 * @param upTo              above any of these figures the size is too small
 */
public record SizeProfile(
        Optional<ControlPlaneSize> size,
        int apiserverReplicas,
        Requests apiserver,
        Requests etcd,
        Requests controllerManager,
        Requests scheduler,
        Limits upTo) {
    public SizeProfile {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(apiserver, "apiserver");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(controllerManager, "controllerManager");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(upTo, "upTo");
        if (apiserverReplicas < 1) {
            throw new IllegalArgumentException("apiserverReplicas must be at least 1");
        }
    }

    /** "M", or "starter". */
    public String name() {
        return size.map(Enum::name).orElse("starter");
    }
}
