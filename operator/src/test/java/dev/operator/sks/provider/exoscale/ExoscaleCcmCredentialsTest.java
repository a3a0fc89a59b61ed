package dev.operator.sks.provider.exoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.provider.CloudControllerCredentials.Cluster;
import dev.operator.sks.provider.CloudControllerCredentials.IssuedKey;
import dev.operator.sks.provider.ProviderException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cloud-controller keys through the IAM API v2 of the fake, which checks every signature, the new keys' too. */
class ExoscaleCcmCredentialsTest {
    private static final Cluster CLUSTER = new Cluster("0b5e8d6e-uid", "team-a", "prod", "ch-gva-2");

    private FakeExoscaleApi fake;
    private ExoscaleCcmCredentials iam;

    @BeforeEach
    void start() throws IOException {
        fake = new FakeExoscaleApi();
        iam = new ExoscaleCcmCredentials(
                ExoscaleApi.newHttpClient(),
                fake.endpoint("/{zone}"),
                ExoscaleCredentialsSource.of(
                        new ExoscaleCredentials(FakeExoscaleApi.API_KEY, FakeExoscaleApi.API_SECRET)),
                Clock.systemUTC(),
                Duration.ofSeconds(2),
                Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void aKeyIsMadeUnderARoleThatAllowsOnlyTheCloudControllersOperations() throws Exception {
        IssuedKey key = iam.issue(CLUSTER, "sks-team-a-prod-ccm-1");

        assertThat(fake.roles()).hasSize(1);
        Map<String, Object> role = fake.roles().get(0);
        assertThat(role.get("labels")).isEqualTo(Map.of(ExoscaleCcmCredentials.CLUSTER_UID_LABEL, CLUSTER.uid()));
        assertThat(role.get("name")).isEqualTo("sks-team-a-prod-ccm");
        @SuppressWarnings("unchecked")
        Map<String, Object> policy = (Map<String, Object>) role.get("policy");
        assertThat(policy.get("default-service-strategy")).isEqualTo("deny");
        assertThat(((Map<?, ?>) policy.get("services")).keySet()).isEqualTo(java.util.Set.of("compute"));
        String expression = new ObjectMapper().writeValueAsString(policy);
        assertThat(expression).contains("'get-instance'", "'create-load-balancer'", "'get-operation'");
        assertThat(expression).doesNotContain("create-instance'", "iam", "api-key");

        assertThat(key.secretData()).containsOnlyKeys("api-key", "api-secret", "api-endpoint");
        assertThat(key.secretData().get("api-key")).isEqualTo(key.keyId());
        assertThat(key.secretData().get("api-endpoint")).endsWith("/ch-gva-2/v2");
        assertThat(key.toString()).doesNotContain(key.secretData().get("api-secret"));
        assertThat(fake.apiKeys()).extracting(k -> k.get("key")).containsExactly(key.keyId());
        // The key works: the fake checks its signature like any other.
        assertThat(apiSignedWith(key).get("/instance").has("instances")).isTrue();
    }

    @Test
    void theRoleIsFoundAgainByTheClusterUidSoASecondKeyDoesNotMakeASecondRole() throws Exception {
        IssuedKey first = iam.issue(CLUSTER, "sks-team-a-prod-ccm-1");
        IssuedKey second = iam.issue(CLUSTER, "sks-team-a-prod-ccm-2");
        iam.issue(new Cluster("another-uid", "team-a", "prod", "ch-gva-2"), "sks-team-a-prod-ccm-3");

        assertThat(fake.roles()).hasSize(2);
        assertThat(fake.apiKeys())
                .filteredOn(k -> k.get("role-id").equals(fake.apiKeys().get(0).get("role-id")))
                .extracting(k -> k.get("key"))
                .containsExactly(first.keyId(), second.keyId());
    }

    @Test
    void aRevokedKeySignsNothingAndTheRoleGoesOnceItsKeysAreRevoked() throws Exception {
        IssuedKey key = iam.issue(CLUSTER, "sks-team-a-prod-ccm-1");
        assertThatThrownBy(() -> iam.deleteRole(CLUSTER))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("409");

        iam.revokeKey(CLUSTER, key.keyId());
        iam.revokeKey(CLUSTER, key.keyId()); // already gone: revoked
        iam.deleteRole(CLUSTER);
        iam.deleteRole(CLUSTER); // already gone

        assertThat(fake.apiKeys()).isEmpty();
        assertThat(fake.roles()).isEmpty();
        assertThatThrownBy(() -> apiSignedWith(key).get("/instance"))
                .isInstanceOf(ExoscaleApiException.class)
                .hasMessageContaining("403");
    }

    @Test
    void anIamRefusalNamesWhatFailedAndNoSecret() {
        fake.rejectNext("POST /iam-role", 403, "Forbidden: the key " + FakeExoscaleApi.API_SECRET + " may not");

        assertThatThrownBy(() -> iam.issue(CLUSTER, "sks-team-a-prod-ccm-1"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("POST /iam-role")
                .hasMessageContaining("403")
                .hasMessageNotContaining(FakeExoscaleApi.API_SECRET);
        assertThat(fake.apiKeys()).isEmpty();
    }

    @Test
    void thePolicyListsEachOperationOnce() {
        List<String> operations = ExoscaleCcmCredentials.CCM_OPERATIONS;
        assertThat(operations).doesNotHaveDuplicates().isSorted();
    }

    private ExoscaleApi apiSignedWith(IssuedKey key) {
        return new ExoscaleApi(
                ExoscaleApi.newHttpClient(),
                fake.endpoint("/ch-gva-2"),
                ExoscaleCredentialsSource.of(new ExoscaleCredentials(
                        key.secretData().get("api-key"), key.secretData().get("api-secret"))),
                Clock.systemUTC(),
                new ObjectMapper());
    }
}
