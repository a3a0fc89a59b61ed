package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KubeconfigRendererTest {
    static IssuedCertificate ca;
    static IssuedCertificate client;

    @BeforeAll
    static void issue() {
        Pki pki = new BouncyCastlePki(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
        ca = pki.createCa("demo-ca");
        client = pki.issue(
                CertificateRequest.builder("alice")
                        .organizations("dev")
                        .clientAuth()
                        .build(),
                ca);
    }

    @Test
    void rendersAKubeconfigThatParsesBackWithEverythingEmbedded() {
        String yaml = KubeconfigRenderer.render(
                "demo", "https://203.0.113.10:443", ca.certificatePem(), "alice", credentials());

        Config config = KubeConfigUtils.parseConfigFromString(yaml);

        assertThat(config.getApiVersion()).isEqualTo("v1");
        assertThat(config.getKind()).isEqualTo("Config");
        assertThat(config.getCurrentContext()).isEqualTo("alice@demo");
        assertThat(config.getClusters()).singleElement().satisfies(cluster -> {
            assertThat(cluster.getName()).isEqualTo("demo");
            assertThat(cluster.getCluster().getServer()).isEqualTo("https://203.0.113.10:443");
            assertThat(decode(cluster.getCluster().getCertificateAuthorityData()))
                    .isEqualTo(ca.certificatePem());
        });
        assertThat(config.getUsers()).singleElement().satisfies(user -> {
            assertThat(user.getName()).isEqualTo("alice");
            assertThat(decode(user.getUser().getClientCertificateData())).isEqualTo(client.certificatePem());
            assertThat(decode(user.getUser().getClientKeyData())).isEqualTo(client.privateKeyPem());
        });
        assertThat(config.getContexts()).singleElement().satisfies(context -> {
            assertThat(context.getName()).isEqualTo("alice@demo");
            assertThat(context.getContext().getCluster()).isEqualTo("demo");
            assertThat(context.getContext().getUser()).isEqualTo("alice");
        });
    }

    @Test
    void aFabric8ClientConfigReadsIt() {
        String yaml = KubeconfigRenderer.render(
                "demo", "https://demo-apiserver.tenant-a.svc:443", ca.certificatePem(), "sks-operator", credentials());

        io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.fromKubeconfig(yaml);

        assertThat(config.getMasterUrl()).startsWith("https://demo-apiserver.tenant-a.svc:443");
        assertThat(config.getCurrentContext().getName()).isEqualTo("sks-operator@demo");
        assertThat(decode(config.getClientKeyData())).isEqualTo(client.privateKeyPem());
    }

    @Test
    void isDeterministic() {
        assertThat(KubeconfigRenderer.render("demo", "https://x:443", ca.certificatePem(), "alice", credentials()))
                .isEqualTo(KubeconfigRenderer.render(
                        "demo", "https://x:443", ca.certificatePem(), "alice", credentials()));
    }

    @Test
    void credentialsNeverShowTheKey() {
        String text = credentials().toString();

        assertThat(text).doesNotContain("PRIVATE KEY").doesNotContain(keyBody());
    }

    @Test
    void errorsNeverQuoteTheKey() {
        ClientCredentials credentials = credentials();

        assertThatThrownBy(() ->
                        KubeconfigRenderer.render("demo", "http://insecure", ca.certificatePem(), "alice", credentials))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody()));
        assertThatThrownBy(() -> KubeconfigRenderer.render("demo", "https://x:443", "not a pem", "alice", credentials))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e ->
                        assertThat(e.getMessage()).doesNotContain(keyBody()).doesNotContain("not a pem"));
        assertThatThrownBy(() -> new ClientCredentials(client.certificatePem(), "garbage " + keyBody()))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody()));
        assertThatThrownBy(() ->
                        KubeconfigRenderer.render(" ", "https://x:443", ca.certificatePem(), "alice", credentials))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ClientCredentials credentials() {
        return new ClientCredentials(client.certificatePem(), client.privateKeyPem());
    }

    /** A run of the key's base64 body: what a leak would show. */
    private static String keyBody() {
        String body = client.privateKeyPem().replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
        return body.substring(body.length() / 2, body.length() / 2 + 24);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
