package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.sizing.LoadSample;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The background observer end to end against a real kube-apiserver (the shared one stands in for a tenant, reached with
 * an admin kubeconfig as the operator reaches tenants): scrapes happen on its worker when due on the operator's clock,
 * and two of them give a sample with a request rate.
 */
@SharedApiServer
class ControlPlaneLoadApiServerTest {
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void twoScrapesOfARealApiServerGiveASampleWithARequestRate() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("loaded")
                .withNamespace("tenants")
                .withUid("0d7c0c5e-1111-4222-8333-944455556666")
                .build());
        Secret admin = new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(Names.adminKubeconfig("loaded"))
                        .withNamespace("tenants")
                        .withOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion(HasMetadata.getApiVersion(SKSCluster.class))
                                .withKind(HasMetadata.getKind(SKSCluster.class))
                                .withName("loaded")
                                .withUid(cluster.getMetadata().getUid())
                                .withController(true)
                                .build())
                        .build())
                .addToData(
                        Names.KUBECONFIG_KEY,
                        Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                .build();
        try (TenantClients clients = new TenantClients(
                        TenantClients.ServerOverride.NONE,
                        (namespace, name) -> Optional.of(admin)
                                .filter(s -> s.getMetadata().getName().equals(name)));
                ControlPlaneLoad load = new ControlPlaneLoad(clients, CLOCK)) {
            assertThat(load.samples(cluster, 2))
                    .as("nothing observed before the first scrape ends")
                    .isEmpty();
            List<LoadSample> first =
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.samples(cluster, 2), s -> s.size() == 1);
            assertThat(first.get(0).requestsPerSecond())
                    .as("a first scrape has no rate")
                    .isEmpty();
            // Nodes from the object counts, or listed while the API server has not counted yet (it polls each minute).
            assertThat(first.get(0).nodes())
                    .isEqualTo(client.nodes().list().getItems().size());
            assertThat(first.get(0).at()).isEqualTo(CLOCK.instant());

            // Not due again before the interval: asking changes nothing.
            assertThat(load.samples(cluster, 2)).hasSize(1);
            CLOCK.advance(ControlPlaneLoad.INTERVAL);
            for (int i = 0; i < 10; i++) {
                client.namespaces().list();
            }
            load.samples(cluster, 2);
            List<LoadSample> two =
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.samples(cluster, 2), s -> s.size() == 2);
            // At least the ten requests above and the scrape, over 30 s of the operator's clock, times two replicas.
            assertThat(two.get(1).requestsPerSecond().getAsDouble()).isGreaterThanOrEqualTo(11 / 30.0 * 2);
            // The in-flight gauge is sampled by the API server, so even the scrape itself may read 0 in it: what holds
            // is
            // that one replica's whole count was taken for each of the two.
            assertThat(two.get(1).inflight() % 2).as("in flight, times two").isEqualTo(0.0);

            load.forget(cluster);
            assertThat(load.samples(cluster, 2)).isEmpty();
        }
    }
}
