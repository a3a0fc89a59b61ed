package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootstrapTokensTest {
    private static final Instant ISSUED = Instant.parse("2025-03-01T10:00:00.750Z");
    private static final BootstrapToken TOKEN = new BootstrapToken("abcdef", "0123456789abcdef");

    @Test
    void aTokenLivesADayInWholeSeconds() {
        JoinToken token = JoinToken.issuedAt(TOKEN, ISSUED);
        assertThat(token.expiration()).isEqualTo(Instant.parse("2025-03-02T10:00:00Z"));
        assertThat(token.isValidAt(Instant.parse("2025-03-02T09:59:59Z"))).isTrue();
        assertThat(token.isValidAt(Instant.parse("2025-03-02T10:00:00Z"))).isFalse();
    }

    @Test
    void rotationIsDueOnceLessThanAThirdOfTheLifetimeIsLeft() {
        JoinToken token = JoinToken.issuedAt(TOKEN, ISSUED);
        Instant rotation = Instant.parse("2025-03-02T02:00:00Z"); // expiration - 8 h
        assertThat(BootstrapTokens.rotationTime(token.expiration())).isEqualTo(rotation);
        assertThat(token.isRotationDueAt(ISSUED)).isFalse();
        assertThat(token.isRotationDueAt(rotation.minusSeconds(1))).isFalse();
        assertThat(token.isRotationDueAt(rotation)).isTrue();
        assertThat(token.isRotationDueAt(token.expiration().plus(Duration.ofDays(3))))
                .isTrue();
        // What that buys: a machine made from the last user-data before a rotation still has 8 h to join.
        assertThat(Duration.between(rotation, token.expiration())).isEqualTo(Duration.ofHours(8));
    }

    @Test
    void expirationsAreRfc3339InUtcAndReadBack() {
        Instant expiration = Instant.parse("2025-03-02T10:00:00Z");
        assertThat(BootstrapTokens.formatExpiration(expiration)).isEqualTo("2025-03-02T10:00:00Z");
        assertThat(BootstrapTokens.parseExpiration("2025-03-02T10:00:00Z")).contains(expiration);
        assertThat(BootstrapTokens.parseExpiration("2025-03-02T11:00:00+01:00")).contains(expiration);
        assertThat(BootstrapTokens.parseExpiration("tomorrow")).isEmpty();
        assertThat(BootstrapTokens.parseExpiration(null)).isEmpty();
    }

    @Test
    void theTenantSecretIsWhatTheBootstrapAuthenticatorReads() {
        Secret secret = BootstrapTokens.tenantSecret(JoinToken.issuedAt(TOKEN, ISSUED), "demo");
        assertThat(secret.getMetadata().getName()).isEqualTo("bootstrap-token-abcdef");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(secret.getStringData()).isNullOrEmpty();
        Map<String, String> data = decode(secret.getData());
        assertThat(data)
                .containsOnlyKeys(
                        "token-id",
                        "token-secret",
                        "expiration",
                        "usage-bootstrap-authentication",
                        "usage-bootstrap-signing",
                        "auth-extra-groups",
                        "description");
        assertThat(data)
                .containsEntry("token-id", "abcdef")
                .containsEntry("token-secret", "0123456789abcdef")
                .containsEntry("expiration", "2025-03-02T10:00:00Z")
                .containsEntry("usage-bootstrap-authentication", "true")
                .containsEntry("usage-bootstrap-signing", "true")
                .containsEntry("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token");
        assertThat(data.get("description")).contains("demo");
    }

    @Test
    void theTenantAcceptsTheCurrentTokenAndThePreviousOneUntilItExpires() {
        JoinToken previous = JoinToken.issuedAt(new BootstrapToken("aaaaaa", "aaaaaaaaaaaaaaaa"), ISSUED);
        JoinToken current = JoinToken.issuedAt(TOKEN, ISSUED.plus(Duration.ofHours(16)));
        JoinTokens tokens = new JoinTokens(current, Optional.of(previous));
        assertThat(tokens.validAt(ISSUED.plus(Duration.ofHours(17)))).containsExactly(current, previous);
        assertThat(tokens.validAt(ISSUED.plus(Duration.ofHours(25)))).containsExactly(current);
        assertThat(new JoinTokens(current, Optional.empty()).validAt(ISSUED.plus(Duration.ofHours(17))))
                .containsExactly(current);
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> plain = new LinkedHashMap<>();
        data.forEach((k, v) -> plain.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return plain;
    }
}
