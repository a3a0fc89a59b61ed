package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.autoscaling.AutoscalerAuthority;
import dev.operator.sks.autoscaling.AutoscalerIdentity;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.rendering.ClusterAutoscalerRenderer;
import dev.operator.sks.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the cluster-autoscaler's provider credentials are issued again: {@link ClusterAutoscaler#isCurrent}. */
class ClusterAutoscalerTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CLOUD_CONFIG = ClusterAutoscalerRenderer.cloudConfig("sks-operator.sks.svc:8086");
    private static final AutoscalerIdentity DEMO = new AutoscalerIdentity("team-a", "demo", "uid-1");

    private final MutableClock clock = new MutableClock(START);
    private final BouncyCastlePki pki = new BouncyCastlePki(clock);
    private final IssuedCertificate ca = pki.createCa("autoscaler-ca");
    private final AutoscalerAuthority authority = AutoscalerAuthority.of(pki, ca);

    private Map<String, String> issued(AutoscalerAuthority by, AutoscalerIdentity identity) {
        IssuedCertificate certificate = by.clientCertificate(identity);
        Map<String, String> data = new HashMap<>();
        data.put(ClusterAutoscalerRenderer.CLIENT_CERT_KEY, certificate.certificatePem());
        data.put(ClusterAutoscalerRenderer.CLIENT_KEY_KEY, certificate.privateKeyPem());
        data.put(ClusterAutoscalerRenderer.CA_KEY, by.caPem());
        data.put(ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY, CLOUD_CONFIG);
        return data;
    }

    @Test
    void aFreshCertificateServesUntilAThirdOfItsLifeIsLeft() {
        Map<String, String> data = issued(authority, DEMO);
        assertThat(ClusterAutoscaler.isCurrent(data, ca, DEMO, CLOUD_CONFIG, START))
                .isTrue();
        Duration twoThirds = AutoscalerAuthority.CLIENT_VALIDITY.multipliedBy(2).dividedBy(3);
        assertThat(ClusterAutoscaler.isCurrent(data, ca, DEMO, CLOUD_CONFIG, START.plus(twoThirds.minusHours(1))))
                .isTrue();
        assertThat(ClusterAutoscaler.isCurrent(data, ca, DEMO, CLOUD_CONFIG, START.plus(twoThirds.plusHours(1))))
                .as("renewed with a third of its 90 days left")
                .isFalse();
    }

    @Test
    void aCertificateOfAnotherClusterObjectOrAnotherCaIsIssuedAgain() {
        AutoscalerIdentity sameNameNewUid = new AutoscalerIdentity("team-a", "demo", "uid-2");
        assertThat(ClusterAutoscaler.isCurrent(issued(authority, DEMO), ca, sameNameNewUid, CLOUD_CONFIG, START))
                .as("the cluster was made again under its name")
                .isFalse();
        IssuedCertificate otherCa = pki.createCa("someone-else");
        Map<String, String> foreign = issued(AutoscalerAuthority.of(pki, otherCa), DEMO);
        foreign.put(ClusterAutoscalerRenderer.CA_KEY, ca.certificatePem());
        assertThat(ClusterAutoscaler.isCurrent(foreign, ca, DEMO, CLOUD_CONFIG, START))
                .as("signed by another CA though the Secret says ours")
                .isFalse();
    }

    @Test
    void aNewAddressMissingKeyOrUnreadableCertificateIsWrittenAgain() {
        Map<String, String> data = issued(authority, DEMO);
        assertThat(ClusterAutoscaler.isCurrent(
                        data, ca, DEMO, ClusterAutoscalerRenderer.cloudConfig("elsewhere:8086"), START))
                .isFalse();
        Map<String, String> noKey = new HashMap<>(data);
        noKey.put(ClusterAutoscalerRenderer.CLIENT_KEY_KEY, "");
        assertThat(ClusterAutoscaler.isCurrent(noKey, ca, DEMO, CLOUD_CONFIG, START))
                .isFalse();
        Map<String, String> garbage = new HashMap<>(data);
        garbage.put(ClusterAutoscalerRenderer.CLIENT_CERT_KEY, "not a certificate");
        assertThat(ClusterAutoscaler.isCurrent(garbage, ca, DEMO, CLOUD_CONFIG, START))
                .isFalse();
    }
}
