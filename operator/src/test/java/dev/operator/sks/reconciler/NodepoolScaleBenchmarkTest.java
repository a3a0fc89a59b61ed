package dev.operator.sks.reconciler;

import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (opt-in): a Nodepool scaled from 0 to 500 instances with the simulated provider (delay 0)
 * on a real API server; prints the time to converge and the API calls the operator made meanwhile. Run with
 * {@code mvn -B test -Dtest=NodepoolScaleBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
// A server of its own, not @SharedApiServer: an opt-in benchmark measures on a server that nothing else loaded.
@EnableKubeAPIServer
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class NodepoolScaleBenchmarkTest {
    static final int INSTANCES = 500;

    @KubeConfig
    static String kubeconfig;

    @Test
    void zeroToFiveHundred() throws Exception {
        AtomicLong operatorCalls = new AtomicLong();
        try (KubernetesClient admin = ApiServerSupport.client(kubeconfig);
                KubernetesClient counted = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(kubeconfig))
                        .withHttpClientBuilderConsumer(builder ->
                                builder.addOrReplaceInterceptor("count", new Interceptor() {
                                    @Override
                                    public void before(
                                            BasicBuilder request, HttpRequest httpRequest, RequestTags tags) {
                                        operatorCalls.incrementAndGet();
                                    }
                                }))
                        .build()) {
            ApiServerSupport.installCrds(admin);
            String namespace = ApiServerSupport.newNamespace(admin, "scale");
            try (SksOperator operator = new SksOperator(
                            counted,
                            OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                            new SimpleMeterRegistry());
                    ClusterStandIn standIn = ClusterStandIn.watch(admin, namespace)) {
                operator.start();
                create(admin, namespace, ControlPlaneApiServerTest.cluster("big", "1.33", "ClusterIP"));
                create(admin, namespace, """
            apiVersion: sks.operator.dev/v1alpha1
            kind: Nodepool
            metadata: {name: big-workers}
            spec: {cluster: big, size: 0, instanceType: standard.medium}
            """);
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    Nodepool np = admin.resources(Nodepool.class)
                            .inNamespace(namespace)
                            .withName("big-workers")
                            .get();
                    SKSCluster c = admin.resources(SKSCluster.class)
                            .inNamespace(namespace)
                            .withName("big")
                            .get();
                    return c.getStatus() != null
                            && c.getStatus().state == ClusterState.Running
                            && np.getStatus() != null
                            && np.getStatus().state == PoolState.Running;
                });
                long callsBefore = operatorCalls.get();
                long start = System.nanoTime();
                admin.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("big-workers")
                        .scale(INSTANCES);
                await().atMost(Duration.ofMinutes(5))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            Nodepool np = admin.resources(Nodepool.class)
                                    .inNamespace(namespace)
                                    .withName("big-workers")
                                    .get();
                            return Integer.valueOf(INSTANCES).equals(np.getStatus().size)
                                    && np.getStatus().state == PoolState.Running;
                        });
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "BENCHMARK nodepool scale: 0 -> %d instances (simulated, delay 0) converged in %.2f s "
                                + "with %d API calls by the operator%n",
                        INSTANCES, seconds, operatorCalls.get() - callsBefore);
            }
        }
    }

    private static void create(KubernetesClient client, String namespace, String yaml) {
        client.resource((HasMetadata) client.getKubernetesSerialization().unmarshal(yaml))
                .inNamespace(namespace)
                .create();
    }
}
