package dev.operator.sks.provider.exoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.provider.ProviderException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class SecretCredentialsSourceTest {
    KubernetesClient client;

    private static Secret secret(String key, String apiSecret) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withNamespace("sks-system")
                .withName("exoscale-credentials")
                .endMetadata();
        if (key != null) {
            secret.addToData("api-key", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
        }
        if (apiSecret != null) {
            secret.addToData(
                    "api-secret", Base64.getEncoder().encodeToString(apiSecret.getBytes(StandardCharsets.UTF_8)));
        }
        return secret.build();
    }

    @Test
    void aMissingOrIncompleteSecretIsNamedInTheError() {
        SecretCredentialsSource source =
                new SecretCredentialsSource(client, "sks-system", "exoscale-credentials", Clock.systemUTC());
        assertThatThrownBy(source::get)
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("Secret sks-system/exoscale-credentials")
                .hasMessageContaining("does not exist");
        client.resource(secret("EXOkey", null)).create();
        assertThatThrownBy(source::get).hasMessageContaining("needs both keys api-key and api-secret");
    }

    @Test
    void credentialsAreReadAndReReadAfterAMinuteSoARotationNeedsNoRestart() throws ProviderException {
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        Clock[] clock = {Clock.fixed(start, ZoneOffset.UTC)};
        Clock moving = new Clock() {
            @Override
            public Instant instant() {
                return clock[0].instant();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        client.resource(secret("EXOfirst", "first-secret")).create();
        SecretCredentialsSource source =
                new SecretCredentialsSource(client, "sks-system", "exoscale-credentials", moving);
        assertThat(source.get()).isEqualTo(new ExoscaleCredentials("EXOfirst", "first-secret"));

        client.resource(secret("EXOsecond", "second-secret")).update();
        assertThat(source.get().apiKey()).as("cached within the minute").isEqualTo("EXOfirst");
        clock[0] = Clock.fixed(start.plus(Duration.ofSeconds(61)), ZoneOffset.UTC);
        assertThat(source.get().apiKey()).isEqualTo("EXOsecond");
    }
}
