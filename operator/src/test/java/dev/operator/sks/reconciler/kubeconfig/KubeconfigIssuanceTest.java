package dev.operator.sks.reconciler.kubeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Held;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Wanted;
import dev.operator.sks.reconciler.kubeconfig.KubeconfigPolicy.Withdrawal;
import dev.operator.sks.rendering.ClientCredentials;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.validation.KubeconfigRequestValidator;
import dev.operator.sks.validation.Violation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** What one issuance produces, with a fixed clock: the certificate, the kubeconfig and the Secret around them. */
class KubeconfigIssuanceTest {
    static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    static final Pki PKI = new BouncyCastlePki(Clock.fixed(NOW, ZoneOffset.UTC));
    static final IssuedCertificate CLUSTER_CA = PKI.createCa("kubernetes");
    static final IssuedCertificate CLIENTS_CA = PKI.createCa("kubernetes-clients-ca");
    static final String SERVER = "https://203.0.113.10:443";

    static KubeconfigRequestSpec spec(String user, List<String> groups, Long ttl) {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = "alpha";
        spec.user = user;
        spec.groups = groups;
        spec.ttlSeconds = ttl;
        return spec;
    }

    static Wanted wanted(KubeconfigRequestSpec spec) {
        return Wanted.of(spec, SERVER, CLUSTER_CA.certificatePem(), CLIENTS_CA.notAfter());
    }

    static KubeconfigRequest request(KubeconfigRequestSpec spec) {
        KubeconfigRequest request = new KubeconfigRequest();
        request.setMetadata(new ObjectMetaBuilder()
                .withName("alice")
                .withNamespace("team-a")
                .withUid("uid-1")
                .build());
        request.setSpec(spec);
        return request;
    }

    @Test
    void theCertificateNamesTheUserAndEachGroupAndIsForClientsOnly() throws Exception {
        X509Certificate certificate = PKI.issue(
                        wanted(spec("alice", List.of("dev", "system:masters"), 3600L))
                                .certificateRequest(),
                        CLIENTS_CA)
                .certificate();
        assertThat(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .isEqualTo("CN=alice,O=system:masters,O=dev");
        assertThat(certificate.getIssuerX500Principal())
                .isEqualTo(CLIENTS_CA.certificate().getSubjectX500Principal());
        certificate.verify(CLIENTS_CA.certificate().getPublicKey());
        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getSubjectAlternativeNames()).isNull();
        assertThat(wanted(spec("alice", List.of("dev", "system:masters"), 3600L))
                        .certificateRequest()
                        .organizations())
                .as("one O per group, in the request's order")
                .containsExactly("dev", "system:masters");
    }

    @Test
    void theCertificateIsValidForTheTtlFromNow() {
        X509Certificate certificate = PKI.issue(
                        wanted(spec("alice", List.of(), 600L)).certificateRequest(), CLIENTS_CA)
                .certificate();
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(600));
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(BouncyCastlePki.CLOCK_SKEW_ALLOWANCE));
    }

    @Test
    void theTtlDefaultsToAndIsCappedAtThirtyDays() {
        X509Certificate byDefault = PKI.issue(
                        wanted(spec("alice", List.of(), null)).certificateRequest(), CLIENTS_CA)
                .certificate();
        assertThat(Duration.between(NOW, byDefault.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(30));
        assertThat(KubeconfigRequestValidator.validate(spec("alice", List.of(), 2_592_000L)))
                .isEmpty();
        assertThat(KubeconfigRequestValidator.validate(spec("alice", List.of(), 2_592_001L)))
                .extracting(Violation::reason)
                .containsExactly("InvalidTTL");
        assertThat(KubeconfigRequestValidator.validate(spec("alice", List.of(), 599L)))
                .extracting(Violation::reason)
                .containsExactly("InvalidTTL");
        assertThat(KubeconfigRequestValidator.validate(spec("root", List.of("system:masters"), null)))
                .as("root credentials are allowed, within the cap")
                .isEmpty();
    }

    @Test
    void theKubeconfigIsReadByAClientWithTheContextUserAtCluster() {
        String kubeconfig = issue(spec("alice", List.of("dev"), 3600L));
        Config config = Config.fromKubeconfig(kubeconfig);
        assertThat(config.getCurrentContext().getName()).isEqualTo("alice@alpha");
        assertThat(config.getMasterUrl()).startsWith(SERVER);
        assertThat(kubeconfig).doesNotContain("BEGIN PRIVATE KEY");
        ClientCredentials credentials =
                KubeconfigRenderer.readCredentials(kubeconfig).orElseThrow();
        assertThat(credentials.privateKeyPem()).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(KubeconfigRenderer.read(kubeconfig).orElseThrow().certificateAuthorityPem())
                .isEqualTo(CLUSTER_CA.certificatePem());
    }

    @Test
    void theSecretIsOwnedByTheRequestAndRecordsWhatWasIssuedWithoutSecretsInItsMetadata() {
        KubeconfigRequestSpec spec = spec("alice", List.of("dev"), 3600L);
        String kubeconfig = issue(spec);
        X509Certificate certificate = Pem.parseCertificate(
                KubeconfigRenderer.read(kubeconfig).orElseThrow().clientCertificatePem());
        Secret secret = KubeconfigSecret.holding(
                Optional.empty(),
                request(spec),
                "alice-kubeconfig",
                kubeconfig,
                wanted(spec).digest(),
                certificate);

        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("KubeconfigRequest");
            assertThat(owner.getName()).isEqualTo("alice");
            assertThat(owner.getUid()).isEqualTo("uid-1");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(secret.getMetadata().getLabels())
                .containsEntry(Labels.CLUSTER, "alpha")
                .containsEntry(Labels.COMPONENT, Labels.KUBECONFIG_COMPONENT);
        assertThat(secret.getData()).containsOnlyKeys(Names.KUBECONFIG_REQUEST_KEY);
        assertThat(secret.getStringData()).isNullOrEmpty();
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("kubeconfig")), StandardCharsets.UTF_8))
                .isEqualTo(kubeconfig);
        assertThat(secret.getMetadata().getAnnotations())
                .containsEntry(
                        Labels.KUBECONFIG_ISSUED_FOR_ANNOTATION, wanted(spec).digest())
                .containsEntry(
                        Labels.KUBECONFIG_SERIAL_ANNOTATION,
                        certificate.getSerialNumber().toString(16))
                .containsEntry(Labels.KUBECONFIG_EXPIRATION_ANNOTATION, "2025-03-01T11:00:00Z");
        String metadata = secret.getMetadata().toString();
        String key =
                KubeconfigRenderer.readCredentials(kubeconfig).orElseThrow().privateKeyPem();
        for (String line : key.lines().filter(l -> !l.startsWith("-----")).toList()) {
            assertThat(metadata).doesNotContain(line);
        }

        Held held = KubeconfigSecret.read(secret, CLIENTS_CA.certificate());
        assertThat(held.issuedFor()).isEqualTo(wanted(spec).digest());
        assertThat(held.certificate()).isEqualTo(certificate);
        assertThat(held.signedByClientsCa()).isTrue();
        assertThat(held.server()).isEqualTo(SERVER);
        assertThat(held.withdrawn()).isNull();
        assertThat(KubeconfigSecret.read(
                                secret, PKI.createCa("kubernetes-clients-ca").certificate())
                        .signedByClientsCa())
                .as("a rotated clients CA with the same name")
                .isFalse();
        assertThat(KubeconfigPolicy.decide(wanted(spec), Optional.of(held), NOW).action())
                .isEqualTo(KubeconfigPolicy.Action.KEEP);
    }

    @Test
    void aWithdrawnSecretKeepsItsNameSerialAndExpiryButNoData() {
        KubeconfigRequestSpec spec = spec("alice", List.of(), 600L);
        String kubeconfig = issue(spec);
        X509Certificate certificate = Pem.parseCertificate(
                KubeconfigRenderer.read(kubeconfig).orElseThrow().clientCertificatePem());
        Secret issued = KubeconfigSecret.holding(
                Optional.empty(),
                request(spec),
                "alice-kubeconfig",
                kubeconfig,
                wanted(spec).digest(),
                certificate);
        issued.getMetadata().getAnnotations().put("example.com/kept", "yes");
        Secret withdrawn = KubeconfigSecret.withdrawn(issued, Withdrawal.EXPIRED);
        assertThat(withdrawn.getData()).isEmpty();
        assertThat(withdrawn.getMetadata().getName()).isEqualTo("alice-kubeconfig");
        assertThat(withdrawn.getMetadata().getAnnotations())
                .containsEntry(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION, "Expired")
                .containsEntry("example.com/kept", "yes")
                .containsEntry(
                        Labels.KUBECONFIG_SERIAL_ANNOTATION,
                        certificate.getSerialNumber().toString(16));
        assertThat(KubeconfigSecret.expiration(withdrawn)).contains(NOW.plusSeconds(600));
        assertThat(KubeconfigSecret.read(withdrawn, CLIENTS_CA.certificate()).withdrawn())
                .isEqualTo(Withdrawal.EXPIRED);
        assertThat(issued.getData()).as("the original is not changed").isNotEmpty();

        Secret reissued = KubeconfigSecret.holding(
                Optional.of(withdrawn),
                request(spec),
                "alice-kubeconfig",
                kubeconfig,
                wanted(spec).digest(),
                certificate);
        assertThat(reissued.getMetadata().getAnnotations())
                .doesNotContainKey(Labels.KUBECONFIG_WITHDRAWN_ANNOTATION)
                .containsEntry("example.com/kept", "yes");
    }

    private static String issue(KubeconfigRequestSpec spec) {
        IssuedCertificate certificate = PKI.issue(wanted(spec).certificateRequest(), CLIENTS_CA);
        return KubeconfigRenderer.render(
                "alpha",
                SERVER,
                CLUSTER_CA.certificatePem(),
                spec.user,
                new ClientCredentials(
                        certificate.certificatePem(), Pem.encodePrivateKeyTraditional(certificate.keyPair())));
    }
}
