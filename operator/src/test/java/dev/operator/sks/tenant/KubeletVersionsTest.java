package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeletVersionsTest {

    @Test
    void theOldestReleaseWinsWhateverADistributionAppends() {
        assertThat(KubeletVersions.oldest(List.of(node("v1.33.4"), node("v1.31.9+k3s1"), node("v1.32.0-eks-1a2b3c"))))
                .contains(KubernetesVersion.of("1.31.9"));
        assertThat(KubeletVersions.oldest(List.of(node("v1.31.10"), node("v1.31.9"))))
                .contains(KubernetesVersion.of("1.31.9"));
    }

    @Test
    void nodesWithoutAReadableVersionDoNotCount() {
        assertThat(KubeletVersions.oldest(List.of())).isEmpty();
        assertThat(KubeletVersions.oldest(List.of(
                        new NodeBuilder()
                                .withNewMetadata()
                                .withName("new")
                                .endMetadata()
                                .build(),
                        node(""),
                        node("unknown"))))
                .isEmpty();
        assertThat(KubeletVersions.oldest(List.of(node("garbage"), node("v1.32.1"))))
                .contains(KubernetesVersion.of("1.32.1"));
    }

    private static Node node(String kubeletVersion) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName("n")
                .endMetadata()
                .withNewStatus()
                .withNewNodeInfo()
                .withKubeletVersion(kubeletVersion)
                .endNodeInfo()
                .endStatus()
                .build();
    }
}
