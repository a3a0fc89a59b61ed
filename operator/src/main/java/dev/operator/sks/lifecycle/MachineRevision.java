package dev.operator.sks.lifecycle;

import dev.operator.sks.support.Digests;
import java.util.Objects;

/**
 * What a machine is made from, as one short digest: the Kubernetes version its kubelet joins with, the image it boots,
 * its instance type and disk size. What changes only the Nodes (labels, taints) is not in it: that reaches running
 * machines without replacing them.
 */
public final class MachineRevision {
    private MachineRevision() {}

    /** @param template the image, empty for the provider's default */
    public static String of(String kubernetesVersion, String template, String instanceType, int diskSizeGib) {
        String content = "v1\n" + Objects.requireNonNullElse(kubernetesVersion, "") + "\n"
                + Objects.requireNonNullElse(template, "") + "\n" + Objects.requireNonNullElse(instanceType, "") + "\n"
                + diskSizeGib;
        return Digests.sha256Hex(content, 8);
    }
}
