package dev.operator.sks.catalog;

import java.util.Arrays;
import java.util.Optional;

/**
 * The compute providers that boot real machines, so need a node image for every minor; the key is the one in
 * kubernetes-versions.yaml (and the operator's {@code --provider} name). The simulated provider boots nothing.
 */
public enum NodeImageProvider {
    EXOSCALE("exoscale"),
    KUBEVIRT("kubevirt");

    private final String key;

    NodeImageProvider(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The provider of that name; empty for one that boots no machines (simulated) or is unknown. */
    public static Optional<NodeImageProvider> of(String provider) {
        return Arrays.stream(values()).filter(p -> p.key.equals(provider)).findFirst();
    }
}
