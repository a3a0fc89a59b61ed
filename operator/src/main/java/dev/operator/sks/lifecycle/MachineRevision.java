package dev.operator.sks.lifecycle;

import dev.operator.sks.support.Digests;
import java.util.Objects;

/**
 * What a machine is made from, as one short digest: the Kubernetes version its kubelet joins with, the image it boots,
 * its instance type and disk size, and the newest cluster CA its kubelet trusts (kubelets keep the CA bundle they
 * joined with, so a cluster-CA rotation replaces the machines, see {@link dev.operator.sks.pki.NodeTrust}). What changes only the Nodes (labels, taints) is not in it: that reaches running
 * machines without replacing them.
 */
public final class MachineRevision {
    private MachineRevision() {}

    /**
     * @param template the image, empty for the provider's default
     * @param trustAnchor the {@link dev.operator.sks.pki.NodeTrust#anchor} of the CA bundle in the user-data, empty
     *     while there is none
     */
    public static String of(
            String kubernetesVersion, String template, String instanceType, int diskSizeGib, String trustAnchor) {
        String content = "v1\n" + Objects.requireNonNullElse(kubernetesVersion, "") + "\n"
                + Objects.requireNonNullElse(template, "") + "\n" + Objects.requireNonNullElse(instanceType, "") + "\n"
                + diskSizeGib + "\n" + Objects.requireNonNullElse(trustAnchor, "");
        return Digests.sha256Hex(content, 8);
    }
}
