package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.naming.Names;
import dev.operator.sks.tenant.NodeDrains.Draining;
import dev.operator.sks.tenant.NodeDrains.Progress;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the real (1.20) test tenants cannot show: a tenant that serves {@code policy/v1} Eviction gets v1 bodies and no
 * v1beta1 retry, and an eviction the server refuses otherwise is reported by its code. The management cluster is a
 * mock server in CRUD mode, the tenant one with scripted answers.
 */
@EnableKubernetesMockClient(crud = true)
class TenantNodeDrainsMockTest {
    private static final ClusterKey KEY = new ClusterKey("tenants", "modern");

    KubernetesClient client;
    KubernetesMockServer tenant;

    @BeforeEach
    void startTenant() {
        tenant = new KubernetesMockServer(false);
        tenant.init();
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: modern
                  cluster: {server: "%s"}
                users:
                - name: admin
                  user: {token: not-a-real-token}
                contexts:
                - name: admin@modern
                  context: {cluster: modern, user: admin}
                current-context: admin@modern
                """.formatted(tenant.url("/"));
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.adminKubeconfig("modern"))
                        .withNamespace("tenants")
                        .addNewOwnerReference()
                        .withApiVersion("sks.operator.dev/v1alpha1")
                        .withKind("SKSCluster")
                        .withName("modern")
                        .withUid("uid-modern")
                        .withController(true)
                        .endOwnerReference()
                        .endMetadata()
                        .addToData(
                                Names.KUBECONFIG_KEY,
                                Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                        .build())
                .create();
    }

    @AfterEach
    void stopTenant() {
        tenant.destroy();
    }

    @Test
    void aModernTenantGetsPolicyV1EvictionsAndRefusalsAreToldByTheirCode() throws Exception {
        tenant.expect()
                .get()
                .withPath("/api/v1/nodes/node-a")
                .andReturn(
                        200,
                        new NodeBuilder()
                                .withNewMetadata()
                                .withName("node-a")
                                .withUid("node-uid")
                                .endMetadata()
                                .withNewSpec()
                                .endSpec()
                                .build())
                .always();
        tenant.expect()
                .patch()
                .withPath("/api/v1/nodes/node-a")
                .andReturn(
                        200,
                        new NodeBuilder()
                                .withNewMetadata()
                                .withName("node-a")
                                .endMetadata()
                                .build())
                .always();
        tenant.expect()
                .get()
                .withPath("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")
                .andReturn(
                        200,
                        new PodListBuilder()
                                .withItems(pod("evicted"), pod("held"), pod("broken"))
                                .build())
                .always();
        tenant.expect()
                .post()
                .withPath("/api/v1/namespaces/apps/pods/evicted/eviction")
                .andReturn(201, new StatusBuilder().withStatus("Success").build())
                .always();
        tenant.expect()
                .post()
                .withPath("/api/v1/namespaces/apps/pods/held/eviction")
                .andReturn(429, new StatusBuilder().withCode(429).build())
                .always();
        tenant.expect()
                .post()
                .withPath("/api/v1/namespaces/apps/pods/broken/eviction")
                .andReturn(500, new StatusBuilder().withCode(500).build())
                .always();

        try (TenantClients tenants = new TenantClients(client);
                TenantNodeDrains drains = new TenantNodeDrains(tenants, new MutableClock())) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
            Progress progress = await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> drains.drain(KEY, "node-a", deadline),
                            p -> p instanceof Draining d && d.podsLeft() == 3);
            assertThat(((Draining) progress).detail())
                    .contains("held by a PodDisruptionBudget: apps/held")
                    .contains("eviction refused: apps/broken (HTTP 500)")
                    .contains("evicted, waiting for them to go: apps/evicted");
        }
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r = tenant.takeRequest(1, TimeUnit.SECONDS);
                r != null;
                r = tenant.takeRequest(1, TimeUnit.SECONDS)) {
            requests.add(r);
        }
        List<RecordedRequest> evictions =
                requests.stream().filter(r -> r.getPath().endsWith("/eviction")).toList();
        assertThat(evictions)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.getBody().readUtf8()).contains("\"apiVersion\":\"policy/v1\""));
        // The cordon sets spec.unschedulable and names the Node's uid, nothing else.
        assertThat(requests)
                .filteredOn(r -> "PATCH".equals(r.getMethod()))
                .first()
                .satisfies(r -> assertThat(r.getBody().readUtf8())
                        .isEqualTo("{\"metadata\":{\"uid\":\"node-uid\"},\"spec\":{\"unschedulable\":true}}"));
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-a")
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .endStatus()
                .build();
    }
}
