package dev.operator.sks.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ControlPlaneSpec;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterValidatorTest {
    private final ClusterValidator validator =
            new ClusterValidator(VersionCatalog.loadDefault(), OperatorConfig.DEFAULT_ZONES);

    @Test
    void aPlainStarterClusterIsValid() {
        assertThat(validator.validate(spec("ch-gva-2", "1.33"), null, Optional.empty()))
                .isEmpty();
    }

    @Test
    void unknownZoneAndVersionAreBothReported() {
        List<Violation> violations = validator.validate(spec("us-east-1", "1.10"), null, Optional.empty());
        assertThat(violations).extracting(Violation::reason).containsExactly("ZoneNotOffered", "VersionNotSupported");
        assertThat(Violation.messageOf(violations)).contains("ch-gva-2").contains("1.33 (1.33.0 to 1.33.4)");
    }

    @Test
    void changesAgainstWhatRunsAreRefused() {
        SKSClusterStatus running = new SKSClusterStatus();
        running.zone = "ch-gva-2";
        running.level = Level.PRO;
        running.version = "1.33.2";
        SKSClusterSpec spec = spec("de-fra-1", "1.33.1");
        spec.level = Level.STARTER;
        assertThat(validator.validate(spec, running, Optional.empty()))
                .extracting(Violation::reason)
                .containsExactly("ZoneImmutable", "LevelDowngradeRefused", "DowngradeRefused");
    }

    @Test
    void upgradesGoOneMinorAtATimeAndRespectKubeletSkew() {
        SKSClusterStatus running = new SKSClusterStatus();
        running.version = "1.31.12";
        assertThat(validator.validate(spec("ch-gva-2", "1.33"), running, Optional.empty()))
                .extracting(Violation::reason)
                .containsExactly("UpgradeSkipsMinor");
        assertThat(validator.validate(spec("ch-gva-2", "1.32"), running, Optional.empty()))
                .isEmpty();
        assertThat(UpgradePolicy.check(
                        KubernetesVersion.of("1.33.4"),
                        KubernetesVersion.of("1.34.0"),
                        Optional.of(KubernetesVersion.of("1.30"))))
                .map(Violation::reason)
                .contains("KubeletSkewTooLarge");
        assertThat(UpgradePolicy.check(
                        KubernetesVersion.of("1.33.4"),
                        KubernetesVersion.of("1.34.0"),
                        Optional.of(KubernetesVersion.of("1.31"))))
                .isEmpty();
        assertThat(UpgradePolicy.check(
                        KubernetesVersion.of("1.34.0"),
                        KubernetesVersion.of("1.34.2"),
                        Optional.of(KubernetesVersion.of("1.29"))))
                .as("a patch never widens the skew")
                .isEmpty();
    }

    @Test
    void overlappingNetworksAndBadSansAreReported() {
        SKSClusterSpec spec = spec("ch-gva-2", "1.33");
        spec.networking = new NetworkingSpec();
        spec.networking.podCIDR = "10.96.0.0/16";
        spec.networking.serviceCIDR = "10.96.0.0/12";
        spec.controlPlane = new ControlPlaneSpec();
        spec.controlPlane.certSANs = List.of("api.example.com", "10.0.0.1", "::1", "not a name");
        List<Violation> violations = validator.validate(spec, null, Optional.empty());
        assertThat(violations).extracting(Violation::reason).containsExactly("InvalidNetworking", "InvalidCertSAN");
        assertThat(Violation.messageOf(violations)).contains("overlaps").contains("'not a name'");
    }

    @Test
    void cidrArithmetic() {
        Cidr services = Cidr.parse("10.96.0.0/12").orElseThrow();
        assertThat(services.firstAddress()).isEqualTo("10.96.0.1");
        assertThat(services.tenthAddress()).isEqualTo("10.96.0.10");
        assertThat(Cidr.parse("10.100.0.0/16").orElseThrow().overlaps(services)).isTrue();
        assertThat(Cidr.parse("192.168.0.0/16").orElseThrow().overlaps(services))
                .isFalse();
        assertThat(Cidr.parse("300.1.1.1/8")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
    }

    private static SKSClusterSpec spec(String zone, String version) {
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = zone;
        spec.version = version;
        return spec;
    }
}
