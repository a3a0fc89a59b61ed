package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.Sharding;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scripted API faults around the one write that holds a new key: two reconciles racing to create a CA Secret, a
 * Secret of that name made by someone else, and a server error. The loser of the race must adopt the winner's CA
 * when the cluster owns it, and never a CA someone else made; an error must never look like success.
 */
@EnableKubernetesMockClient
class CertificateSecretsFaultTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aServerErrorIsNotMistakenForSuccess() {
        server.expect()
                .post()
                .withPath("/api/v1/namespaces/tenant/secrets")
                .andReturn(
                        500,
                        new StatusBuilder()
                                .withCode(500)
                                .withMessage("etcd timeout")
                                .build())
                .once();
        // No client-side retries here: the error itself is under test (JOSDK's retry takes over in the operator).
        try (KubernetesClient noRetries = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build()) {
            OwnedObjects withoutRetries = new OwnedObjects(
                    noRetries, ObjectCache.NONE, UNWATCHED, cluster(), EventRecorder.NONE, Sharding.NONE);
            assertThatThrownBy(() -> withoutRetries.create(secret("data", true)))
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode())
                            .isEqualTo(500));
        }
    }

    /** Never asked: without informers, every name is read live. */
    private static final UnwatchedNames UNWATCHED = new UnwatchedNames(Clock.systemUTC());

    private final OwnedObjects objects =
            new OwnedObjects(client, ObjectCache.NONE, UNWATCHED, cluster(), EventRecorder.NONE, Sharding.NONE);

    @Test
    void losingTheCreateRaceAdoptsTheSecretThatWonWhenTheClusterOwnsIt() {
        Secret winner = secret("winner-data", true);
        server.expect()
                .post()
                .withPath("/api/v1/namespaces/tenant/secrets")
                .andReturn(
                        409,
                        new StatusBuilder()
                                .withCode(409)
                                .withReason("AlreadyExists")
                                .build())
                .once();
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/tenant/secrets/demo-ca")
                .andReturn(200, winner)
                .once();

        Secret adopted = objects.create(secret("loser-data", true));

        assertThat(adopted.getData()).isEqualTo(winner.getData());
    }

    @Test
    void aSecretSomeoneElseMadeFirstIsANameConflictNeverAdopted() {
        Secret foreign = secret("attacker-ca", false);
        server.expect()
                .post()
                .withPath("/api/v1/namespaces/tenant/secrets")
                .andReturn(
                        409,
                        new StatusBuilder()
                                .withCode(409)
                                .withReason("AlreadyExists")
                                .build())
                .once();
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/tenant/secrets/demo-ca")
                .andReturn(200, foreign)
                .once();

        assertThatThrownBy(() -> objects.create(secret("operator-ca", true)))
                .isInstanceOfSatisfying(
                        NameConflictException.class,
                        e -> assertThat(e.conflict()).isEqualTo(new NameConflict("Secret", "demo-ca")));
    }

    private static Secret secret(String marker, boolean owned) {
        ObjectMetaBuilder metadata = new ObjectMetaBuilder().withName("demo-ca").withNamespace("tenant");
        if (owned) {
            metadata.withOwnerReferences(Owners.controllerReference(cluster()));
        }
        return new SecretBuilder()
                .withMetadata(metadata.build())
                .withData(Map.of("tls.key", java.util.Base64.getEncoder().encodeToString(marker.getBytes())))
                .build();
    }

    private static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant")
                .withUid("u-1")
                .build());
        return cluster;
    }
}
