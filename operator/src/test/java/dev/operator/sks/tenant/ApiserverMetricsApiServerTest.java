package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.sizing.LoadSample;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The figures read from a real kube-apiserver's {@code /metrics} (the test binaries are v1.20, which counts objects in
 * {@code etcd_object_counts}): what the operator scrapes from each pro tenant, with an admin client as it does.
 */
@SharedApiServer
class ApiserverMetricsApiServerTest {
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
    void aRealApiServersMetricsGiveObjectsNodesRequestsAndInflight() {
        String namespace = ApiServerSupport.newNamespace(client, "metrics");
        // The object counts are polled by the API server (each minute by default, first at start).
        ApiserverMetrics.Figures first = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> ApiserverMetrics.figures(scrape()), f -> f.nodes().isPresent() && f.objects() > 0);
        String text = scrape();
        assertThat(text).contains("apiserver_request_total{", "apiserver_current_inflight_requests{");
        assertThat(text.contains("apiserver_storage_objects{") || text.contains("etcd_object_counts{"))
                .isTrue();
        assertThat(first.nodes().getAsLong())
                .as("the management test server has no Nodes unless a test made some")
                .isEqualTo(client.nodes().list().getItems().size());
        assertThat(first.requestTotal()).isPositive();
        // The in-flight gauge is sampled by the API server, not counted live, so a scrape may read 0 even though it is
        // itself in flight: what is checked is that both kinds are summed as the text gives them.
        assertThat(ApiserverMetrics.figures(text).inflight()).isEqualTo(inflightIn(text));

        Instant t0 = Instant.now();
        ApiserverMetrics.Figures before = ApiserverMetrics.figures(scrape());
        for (int i = 0; i < 20; i++) {
            client.configMaps().inNamespace(namespace).list();
        }
        Instant t1 = t0.plusSeconds(10);
        ApiserverMetrics.Figures after = ApiserverMetrics.figures(scrape());
        assertThat(after.requestTotal() - before.requestTotal()).isGreaterThanOrEqualTo(20);
        LoadSample sample = ControlPlaneLoad.sample(
                new ControlPlaneLoad.Scrape(t0, before), new ControlPlaneLoad.Scrape(t1, after), 0, 2);
        assertThat(sample.requestsPerSecond().getAsDouble()).isGreaterThanOrEqualTo(20 / 10.0 * 2);
    }

    private static double inflightIn(String text) {
        return text.lines()
                .filter(line -> line.startsWith("apiserver_current_inflight_requests{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String scrape() {
        String base = client.getMasterUrl().toString();
        return client.raw(base.endsWith("/") ? base + "metrics" : base + "/metrics");
    }
}
