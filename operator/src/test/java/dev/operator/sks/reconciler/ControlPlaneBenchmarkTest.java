package dev.operator.sks.reconciler;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (opt-in): 100 SKSClusters applied at once to a real API server; prints the time until every
 * one has its full set of objects and the heap used after a GC. Run with
 * {@code mvn -B test -Dtest=ControlPlaneBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
// A server of its own, not @SharedApiServer: an opt-in benchmark measures on a server that nothing else loaded.
@EnableKubeAPIServer
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ControlPlaneBenchmarkTest {
    static final int CLUSTERS = 100;
    /** 16 Secrets, 2 ConfigMaps, 3 Services, 1 StatefulSet and 3 Deployments per cluster. */
    static final int SECRETS = 16;

    static final int WORKLOADS = 4;

    @KubeConfig
    static String kubeconfig;

    @Test
    void hundredClustersAtOnce() throws Exception {
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(client);
            String namespace = ApiServerSupport.newNamespace(client, "bench");
            try (SksOperator operator = ApiServerSupport.startOperator(
                    client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()))) {
                long start = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                for (int i = 0; i < CLUSTERS; i++) {
                    String yaml = ControlPlaneApiServerTest.cluster("bench-" + i, "1.33", "ClusterIP");
                    pool.submit(() -> client.resource((HasMetadata)
                                    client.getKubernetesSerialization().unmarshal(yaml))
                            .inNamespace(namespace)
                            .create());
                }
                pool.shutdown();
                await().atMost(Duration.ofMinutes(10))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> client.secrets()
                                                .inNamespace(namespace)
                                                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                                                .list()
                                                .getItems()
                                                .size()
                                        == CLUSTERS * SECRETS
                                && client.apps()
                                                        .deployments()
                                                        .inNamespace(namespace)
                                                        .list()
                                                        .getItems()
                                                        .size()
                                                + client.apps()
                                                        .statefulSets()
                                                        .inNamespace(namespace)
                                                        .list()
                                                        .getItems()
                                                        .size()
                                        == CLUSTERS * WORKLOADS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.gc();
                Thread.sleep(500);
                long heap =
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.printf(
                        "BENCHMARK control plane: %d SKSClusters fully rendered in %.1f s; heap used after GC "
                                + "(operator and test in one JVM): %.0f MiB%n",
                        CLUSTERS, seconds, heap / 1024.0 / 1024.0);
            }
        }
    }
}
