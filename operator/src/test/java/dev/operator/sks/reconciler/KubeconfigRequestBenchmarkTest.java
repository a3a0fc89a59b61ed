package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Time from a KubeconfigRequest created to its Secret written, on a real API server with the operator in-process:
 * measured as a user would see it, from before the create call until a watch on Secrets delivers the Secret with its
 * kubeconfig. Goal: a median under 100 ms. Off by default:
 *
 * <pre>mvn -B -o test -Dtest=KubeconfigRequestBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Iterations: -Dbenchmark.warmup=10 -Dbenchmark.iterations=100.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
// A server of its own, not @SharedApiServer: an opt-in benchmark measures on a server that nothing else loaded.
@EnableKubeAPIServer
class KubeconfigRequestBenchmarkTest {
    @KubeConfig
    static String kubeconfig;

    @Test
    void createdToSecretWritten() throws Exception {
        int warmup = Integer.getInteger("benchmark.warmup", 10);
        int iterations = Integer.getInteger("benchmark.iterations", 100);
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(client);
            try (SksOperator operator = ApiServerSupport.startOperator(
                    client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()))) {
                String namespace = ApiServerSupport.newNamespace(client, "bench");
                create(client, namespace, KubeconfigRequestApiServerTest.cluster("bench", "ClusterIP"));
                try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(
                                    () -> client.resources(SKSCluster.class)
                                            .inNamespace(namespace)
                                            .withName("bench")
                                            .get(),
                                    c -> c.getStatus() != null
                                            && Conditions.isTrue(c.getStatus().conditions, Conditions.READY));
                }
                Map<String, Long> written = new ConcurrentHashMap<>();
                Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
                try (Watch watch = client.secrets()
                        .inNamespace(namespace)
                        .withLabel(Labels.COMPONENT, Labels.KUBECONFIG_COMPONENT)
                        .watch(new Watcher<>() {
                            @Override
                            public void eventReceived(Action action, Secret secret) {
                                long now = System.nanoTime();
                                if (secret.getData() != null
                                        && secret.getData().containsKey(Names.KUBECONFIG_REQUEST_KEY)) {
                                    String name = secret.getMetadata().getName();
                                    if (written.putIfAbsent(name, now) == null) {
                                        waiting.computeIfAbsent(name, n -> new CountDownLatch(1))
                                                .countDown();
                                    }
                                }
                            }

                            @Override
                            public void onClose(WatcherException cause) {}
                        })) {
                    for (int i = 0; i < warmup; i++) {
                        measure(client, namespace, "warmup-" + i, written, waiting);
                    }
                    double[] millis = new double[iterations];
                    for (int i = 0; i < iterations; i++) {
                        millis[i] = measure(client, namespace, "user-" + i, written, waiting);
                    }
                    Arrays.sort(millis);
                    System.out.printf(
                            "%nKubeconfigRequest created -> Secret written (n=%d, sequential, EC P-256): "
                                    + "median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms%n",
                            iterations,
                            percentile(millis, 50),
                            percentile(millis, 90),
                            millis[0],
                            millis[iterations - 1]);
                    assertThat(written).hasSize(warmup + iterations);

                    // A burst: every request created at once, as a GitOps sync would.
                    long start = System.nanoTime();
                    List<String> names = java.util.stream.IntStream.range(0, iterations)
                            .mapToObj(i -> "burst-" + i)
                            .toList();
                    Map<String, Long> created = new ConcurrentHashMap<>();
                    for (String name : names) {
                        waiting.computeIfAbsent(Names.kubeconfigSecret(name), n -> new CountDownLatch(1));
                        created.put(name, System.nanoTime());
                        create(
                                client,
                                namespace,
                                KubeconfigRequestApiServerTest.request(
                                        name, "bench", name, List.of("dev"), 3600L, null));
                    }
                    for (String name : names) {
                        assertThat(waiting.get(Names.kubeconfigSecret(name)).await(120, TimeUnit.SECONDS))
                                .as(name)
                                .isTrue();
                    }
                    double total = (System.nanoTime() - start) / 1e6;
                    double[] burst = names.stream()
                            .mapToDouble(n -> (written.get(Names.kubeconfigSecret(n)) - created.get(n)) / 1e6)
                            .sorted()
                            .toArray();
                    System.out.printf(
                            "Burst of %d created at once: all written in %.0f ms; each: median %.1f ms, p90 %.1f ms, "
                                    + "max %.1f ms%n%n",
                            iterations, total, percentile(burst, 50), percentile(burst, 90), burst[iterations - 1]);
                }
            }
        }
    }

    private static double measure(
            KubernetesClient client,
            String namespace,
            String name,
            Map<String, Long> written,
            Map<String, CountDownLatch> waiting)
            throws InterruptedException {
        CountDownLatch latch = waiting.computeIfAbsent(Names.kubeconfigSecret(name), n -> new CountDownLatch(1));
        long start = System.nanoTime();
        create(
                client,
                namespace,
                KubeconfigRequestApiServerTest.request(name, "bench", name, List.of("dev"), 3600L, null));
        assertThat(latch.await(30, TimeUnit.SECONDS)).as(name).isTrue();
        return (written.get(Names.kubeconfigSecret(name)) - start) / 1e6;
    }

    private static void create(KubernetesClient client, String namespace, String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
