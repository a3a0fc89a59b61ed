package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.KeyAlgorithm;
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
 * Scripted API faults around the one write that holds a new key: two reconciles racing to create a CA Secret, and
 * a server error. The loser of the race must adopt the winner's CA; an error must never look like success.
 */
@EnableKubernetesMockClient
class CertificateSecretsFaultTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void aServerErrorIsNotMistakenForSuccess() {
    server.expect().post().withPath("/api/v1/namespaces/tenant/secrets")
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd timeout").build()).always();
    // No client-side retries here: the error itself is under test (JOSDK's retry takes over in the operator).
    try (KubernetesClient noRetries = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
      CertificateSecrets withoutRetries = new CertificateSecrets(noRetries, new BouncyCastlePki(Clock.systemUTC()),
          Clock.systemUTC(), KeyAlgorithm.DEFAULT);
      assertThatThrownBy(() -> withoutRetries.createOnce(cluster(), secret("data")))
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(500));
    }
  }

  private final CertificateSecrets secrets =
      new CertificateSecrets(client, new BouncyCastlePki(Clock.systemUTC()), Clock.systemUTC(), KeyAlgorithm.DEFAULT);

  @Test
  void losingTheCreateRaceAdoptsTheSecretThatWon() {
    Secret winner = secret("winner-data");
    server.expect().post().withPath("/api/v1/namespaces/tenant/secrets")
        .andReturn(409, new StatusBuilder().withCode(409).withReason("AlreadyExists").build()).once();
    server.expect().get().withPath("/api/v1/namespaces/tenant/secrets/demo-ca").andReturn(200, winner).once();

    Secret adopted = secrets.createOnce(cluster(), secret("loser-data"));

    assertThat(adopted.getData()).isEqualTo(winner.getData());
  }

  private static Secret secret(String marker) {
    return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName("demo-ca").withNamespace("tenant")
        .build()).withData(Map.of("tls.key", java.util.Base64.getEncoder().encodeToString(marker.getBytes())))
        .build();
  }

  private static SKSCluster cluster() {
    SKSCluster cluster = new SKSCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("tenant").withUid("u-1").build());
    return cluster;
  }
}
