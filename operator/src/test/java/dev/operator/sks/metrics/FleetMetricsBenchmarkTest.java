package dev.operator.sks.metrics;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (opt-in): the per-cluster series a scrape carries for 1 and for 100 SKSClusters in a real API
 * server (each past its first reconcile, none Ready: a bare API server runs no pods), with the scrape's size and
 * time. Run with
 * {@code mvn -B test -Dtest=FleetMetricsBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
// A server of its own, not @SharedApiServer: an opt-in benchmark measures on a server that nothing else loaded.
@EnableKubeAPIServer
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class FleetMetricsBenchmarkTest {
    static final int CLUSTERS = 100;

    @KubeConfig
    static String kubeconfig;

    @Test
    void seriesOfOneAndOfAHundredClusters() throws Exception {
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(client);
            String namespace = ApiServerSupport.newNamespace(client, "bench");
            PrometheusMeterRegistry registry = PrometheusRegistries.withJvmMetrics();
            try (SksOperator operator = ApiServerSupport.startOperator(
                    client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()), registry)) {
                create(client, namespace, 0, 1);
                awaitReconciled(client, namespace, 1);
                report(registry, 1);
                create(client, namespace, 1, CLUSTERS);
                awaitReconciled(client, namespace, CLUSTERS);
                report(registry, CLUSTERS);
            }
        }
    }

    private static void create(KubernetesClient client, String namespace, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = from; i < to; i++) {
            String yaml = FleetMetricsApiServerTest.cluster("bench-" + i);
            pool.submit(() -> client.resource(
                            (HasMetadata) client.getKubernetesSerialization().unmarshal(yaml))
                    .inNamespace(namespace)
                    .create());
        }
        pool.shutdown();
    }

    /** Every cluster past the PKI: state, version info, expiry and etcd series exist for it. */
    private static void awaitReconciled(KubernetesClient client, String namespace, int clusters) {
        await().atMost(Duration.ofMinutes(15))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> client.resources(SKSCluster.class).inNamespace(namespace).list().getItems().stream()
                                .filter(c -> c.getStatus() != null
                                        && c.getStatus().certificates != null
                                        && c.getStatus().etcd != null)
                                .count()
                        == clusters);
    }

    private static void report(PrometheusMeterRegistry registry, int clusters) {
        // The fastest of a few scrapes: the operator is still busy with the clusters on the same cores.
        String scrape = "";
        long micros = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            scrape = registry.scrape();
            micros = Math.min(micros, (System.nanoTime() - start) / 1000);
        }
        long perCluster = Arrays.stream(scrape.split("\n"))
                .filter(l -> l.startsWith("sks_cluster_") && l.contains("name=\"bench-"))
                .count();
        long all = Arrays.stream(scrape.split("\n"))
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .count();
        System.out.printf(
                "fleet metrics, %d clusters: %d per-cluster series (%.1f each), %d series in all, scrape %d bytes "
                        + "in %d us (fastest of 5)%n",
                clusters, perCluster, (double) perCluster / clusters, all, scrape.length(), micros);
    }
}
