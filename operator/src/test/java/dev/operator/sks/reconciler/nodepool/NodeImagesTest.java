package dev.operator.sks.reconciler.nodepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeImagesTest {
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    private static final Optional<KubernetesVersion> V1_33 = Optional.of(KubernetesVersion.of("1.33.4"));

    @Test
    void theNodepoolsOwnImageWinsOverTheOperatorsAndTheCatalogs() {
        assertThat(NodeImages.template(
                        "kubevirt",
                        " registry.example/mine:v1 ",
                        Optional.of("registry.example/op:v1"),
                        CATALOG,
                        V1_33))
                .contains("registry.example/mine:v1");
        assertThat(NodeImages.template("kubevirt", null, Optional.of("registry.example/op:v1"), CATALOG, V1_33))
                .contains("registry.example/op:v1");
        assertThat(NodeImages.template("kubevirt", "", Optional.empty(), CATALOG, V1_33))
                .contains(
                        CATALOG.nodeImage("kubevirt", V1_33.get()).orElseThrow().image());
        assertThat(NodeImages.template("exoscale", null, Optional.empty(), CATALOG, V1_33))
                .contains("Linux Ubuntu 24.04 LTS 64-bit");
    }

    @Test
    void theCatalogsImageFollowsTheClustersMinor() {
        assertThat(NodeImages.template(
                        "kubevirt", null, Optional.empty(), CATALOG, Optional.of(KubernetesVersion.of("1.34.1"))))
                .hasValueSatisfying(image -> assertThat(image).endsWith(":v1.34.1"));
        assertThat(NodeImages.template(
                        "kubevirt", null, Optional.empty(), CATALOG, Optional.of(KubernetesVersion.of("1.32"))))
                .hasValueSatisfying(image -> assertThat(image).contains(":v1.32."));
    }

    @Test
    void theSimulatedProviderAndAnUnknownVersionGetNoImage() {
        assertThat(NodeImages.template("simulated", null, Optional.empty(), CATALOG, V1_33))
                .isEmpty();
        assertThat(NodeImages.template("kubevirt", null, Optional.empty(), CATALOG, Optional.empty()))
                .isEmpty();
        assertThat(NodeImages.template("simulated", "anything", Optional.empty(), CATALOG, V1_33))
                .contains("anything");
    }

    @Test
    void onlyTheCatalogsOwnImageCountsAsBakedIn() {
        String capk = CATALOG.nodeImage("kubevirt", V1_33.get()).orElseThrow().image();
        assertThat(NodeImages.bakedIn("kubevirt", capk, CATALOG, V1_33)).isTrue();
        // The same image for another minor's cluster carries the wrong kubelet: the machine checks for itself.
        assertThat(NodeImages.bakedIn("kubevirt", capk, CATALOG, Optional.of(KubernetesVersion.of("1.34.1"))))
                .isFalse();
        assertThat(NodeImages.bakedIn("kubevirt", "registry.example/mine:v1", CATALOG, V1_33))
                .isFalse();
        assertThat(NodeImages.bakedIn("exoscale", "Linux Ubuntu 24.04 LTS 64-bit", CATALOG, V1_33))
                .isFalse();
        assertThat(NodeImages.bakedIn("kubevirt", null, CATALOG, V1_33)).isFalse();
    }
}
