package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Optional;
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

    @Test
    void theClustersPoolsBoundTheOldestKubeletToo() {
        Nodepool mixed = pool("uid-a", "1.32.7");
        Nodepool otherCluster = pool("uid-b", "1.30.1");
        Nodepool unreported = pool("uid-a", null);
        assertThat(KubeletVersions.oldest(
                        Optional.of(KubernetesVersion.of("1.33.4")), List.of(mixed, otherCluster, unreported), "uid-a"))
                .contains(KubernetesVersion.of("1.32.7"));
        assertThat(KubeletVersions.oldest(Optional.empty(), List.of(mixed), "uid-a"))
                .as("a tenant that cannot be read still has the pools' word")
                .contains(KubernetesVersion.of("1.32.7"));
        assertThat(KubeletVersions.oldest(Optional.of(KubernetesVersion.of("1.31.2")), List.of(mixed), "uid-a"))
                .contains(KubernetesVersion.of("1.31.2"));
        assertThat(KubeletVersions.oldest(Optional.empty(), List.of(otherCluster), "uid-a"))
                .isEmpty();
    }

    private static Nodepool pool(String clusterUid, String version) {
        Nodepool pool = new Nodepool();
        pool.setStatus(new NodepoolStatus());
        pool.getStatus().clusterUID = clusterUid;
        pool.getStatus().version = version;
        return pool;
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
