package dev.operator.sks.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersionCatalogTest {
    private final VersionCatalog catalog = VersionCatalog.loadDefault();

    @Test
    void theShippedCatalogLoadsAndResolvesMinorsToTheirNewestPatch() {
        assertThat(catalog.supportedMinors())
                .extracting(KubernetesVersion::toString)
                .contains("1.33");
        KubernetesVersion newest = catalog.resolve("1.33").orElseThrow();
        assertThat(newest.isPatch()).isTrue();
        assertThat(newest).isEqualTo(catalog.newestPatchOf(KubernetesVersion.of("1.33.0")));
        assertThat(catalog.resolve("1.33.0")).contains(KubernetesVersion.of("1.33.0"));
        assertThat(catalog.resolve("1.33.999")).isEmpty();
        assertThat(catalog.resolve("1.99")).isEmpty();
        assertThat(catalog.resolve("banana")).isEmpty();
    }

    @Test
    void imagesCarryThePatchVersion() {
        assertThat(catalog.image(Component.KUBE_APISERVER, KubernetesVersion.of("1.33.4")))
                .isEqualTo("registry.k8s.io/kube-apiserver:v1.33.4");
        assertThat(catalog.image(Component.ETCD, KubernetesVersion.of("1.33.4")))
                .startsWith("registry.k8s.io/etcd:");
    }

    @Test
    void everyMinorNamesANodeImageForEveryProviderThatBootsMachines() {
        for (KubernetesVersion minor : catalog.supportedMinors()) {
            KubernetesVersion patch = catalog.newestPatchOf(minor);
            NodeImage kubevirt = catalog.nodeImage("kubevirt", patch).orElseThrow();
            // A container disk with kubelet and kubeadm of this very minor baked in.
            assertThat(kubevirt.image()).startsWith("quay.io/capk/ubuntu-2404-container-disk:v" + minor + ".");
            assertThat(kubevirt.bakedIn()).isTrue();
            NodeImage exoscale = catalog.nodeImage("exoscale", patch).orElseThrow();
            assertThat(exoscale.image()).isEqualTo("Linux Ubuntu 24.04 LTS 64-bit");
            assertThat(exoscale.bakedIn()).isFalse();
        }
        assertThat(catalog.nodeImage("simulated", KubernetesVersion.of("1.33.4")))
                .isEmpty();
        assertThat(catalog.nodeImage("kubevirt", KubernetesVersion.of("1.99.0")))
                .isEmpty();
    }

    @Test
    void aNodeImageMustSayWhetherKubernetesIsBakedIn() {
        String yaml = """
        minors:
          - minor: "1.33"
            patches: ["1.33.0"]
            images: {etcd: e, kube-apiserver: a, kube-controller-manager: c, kube-scheduler: s, kube-proxy: p,
                     konnectivity-server: ks, konnectivity-agent: ka, coredns: d, calico: k, metrics-server: m,
                     cloud-controller: cc, kubevirt-cloud-controller: kcc, cluster-autoscaler: ca}
            nodeImages:
              exoscale: {image: "Linux Ubuntu 24.04 LTS 64-bit", bakedIn: false}
              kubevirt: {image: "registry.example/node:v{version}"}
        """;
        assertThatThrownBy(() -> VersionCatalog.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("kubevirt node image has kubelet and kubeadm baked in");
        VersionCatalog withVersion = VersionCatalog.load(new ByteArrayInputStream(
                yaml.replace("v{version}\"}", "v{version}\", bakedIn: true}").getBytes(StandardCharsets.UTF_8)));
        assertThat(withVersion.nodeImage("kubevirt", KubernetesVersion.of("1.33.0")))
                .contains(new NodeImage("registry.example/node:v1.33.0", true));
    }

    @Test
    void upgradesAreNewerPatchesAndTheNextMinorOnly() {
        assertThat(catalog.availableUpgrades(KubernetesVersion.of("1.32.7")))
                .extracting(KubernetesVersion::toString)
                .contains("1.32.8", "1.33.0", "1.33.4")
                .doesNotContain("1.32.7", "1.32.6", "1.34.0", "1.31.12");
    }

    @Test
    void versionsOrderNumericallyNotAlphabetically() {
        assertThat(KubernetesVersion.of("1.31.10")).isGreaterThan(KubernetesVersion.of("1.31.9"));
        assertThat(KubernetesVersion.of("1.33")).isLessThan(KubernetesVersion.of("1.33.0"));
        assertThat(KubernetesVersion.of("v1.34.1").minorsAheadOf(KubernetesVersion.of("1.31.0")))
                .isEqualTo(3);
    }

    @Test
    void aCatalogMissingAnImageIsRefusedAtLoad() {
        String yaml = """
        minors:
          - minor: "1.33"
            patches: ["1.33.0"]
            images: {etcd: e}
        """;
        assertThatThrownBy(() -> VersionCatalog.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("names no image for kube-apiserver");
    }

    @Test
    void aPatchUnderTheWrongMinorIsRefused() {
        String yaml = """
        minors:
          - minor: "1.33"
            patches: ["1.32.1"]
            images: {}
        """;
        assertThatThrownBy(() -> VersionCatalog.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("1.32.1 is listed under minor 1.33");
    }

    @Test
    void instanceTypesKnowWhichCanRunANode() {
        InstanceTypeCatalog types = InstanceTypeCatalog.loadDefault();
        assertThat(types.find("standard.medium").orElseThrow().canRunNode()).isTrue();
        assertThat(types.find("standard.tiny").orElseThrow().canRunNode()).isFalse();
        assertThat(types.find("gpu3.small").orElseThrow().gpus()).isPositive();
        assertThat(types.find("standard.nope")).isEmpty();
    }
}
