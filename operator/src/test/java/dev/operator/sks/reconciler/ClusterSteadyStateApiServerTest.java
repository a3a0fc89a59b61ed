package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A Ready cluster whose spec does not change costs nothing: with 20 running clusters, every one reconciled again
 * (an informer event of an object it owns, which changes nothing the operator sets), the operator makes no write
 * and no GET, only its watches stay open. The requests are counted on the operator's own client, by verb, as
 * {@link NodepoolScaleBenchmarkTest} does. The tenant bootstrap works in the background on its own threads
 * ({@code sks-tenant-work}), reaching tenants that never answer here; its requests are counted apart and printed.
 * {@code -Dbenchmark=true} adds a 60 s window that prints the counts.
 */
@SharedApiServer
class ClusterSteadyStateApiServerTest {
    static final int CLUSTERS = 20;
    static final String TENANT_WORK = "sks-tenant-work";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient admin;
    static KubernetesClient counted;
    static SksOperator operator;
    static ClusterStandIn standIn;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static String namespace;
    static final Map<String, AtomicLong> byVerb = new ConcurrentHashMap<>();
    static final Map<String, AtomicLong> tenantWorkByVerb = new ConcurrentHashMap<>();
    static final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void twentyRunningClusters() throws Exception {
        admin = ApiServerSupport.client(kubeconfig);
        counted = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("count", new Interceptor() {
                    @Override
                    public void before(BasicBuilder request, HttpRequest httpRequest, RequestTags tags) {
                        count(httpRequest);
                    }
                }))
                .build();
        namespace = ApiServerSupport.newNamespace(admin, "steady");
        operator = ApiServerSupport.startOperator(
                counted, OperatorServices.loadDefaults(ApiServerSupport.testConfig()), registry);
        standIn = ClusterStandIn.watch(admin, namespace);
        for (int i = 0; i < CLUSTERS; i++) {
            admin.resource((HasMetadata) admin.getKubernetesSerialization()
                            .unmarshal(ControlPlaneApiServerTest.cluster("steady-" + i, "1.33", "ClusterIP")))
                    .inNamespace(namespace)
                    .create();
        }
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> admin.resources(SKSCluster.class).inNamespace(namespace).list().getItems().stream()
                                .filter(c -> c.getStatus() != null
                                        && c.getStatus().state == ClusterState.Running
                                        && c.getStatus().conditions.stream()
                                                .anyMatch(t -> "TenantReachable".equals(t.getType())
                                                        && !"Probing".equals(t.getReason())))
                                .count()
                        == CLUSTERS);
        assertThat(byVerb.getOrDefault("POST", new AtomicLong()).get())
                .as("the counter sees the operator's writes")
                .isPositive();
    }

    @AfterAll
    static void stop() {
        standIn.close();
        operator.close();
        counted.close();
        admin.close();
    }

    @Test
    void readyClustersReconciledAgainMakeNoWriteAndNoGet() {
        Map<String, Long> counts = window(Duration.ofSeconds(15));
        assertThat(counts)
                .as("requests by verb outside the tenant bootstrap: " + String.join(", ", requests))
                .isEmpty();
        // The tenant bootstrap retries the unreachable tenants meanwhile; it reads the cluster's Secrets from the
        // operator's informer, so it asks the management API server nothing either.
        assertThat(snapshot(tenantWorkByVerb))
                .as("the tenant bootstrap's requests")
                .isEmpty();
    }

    @Test
    @EnabledIfSystemProperty(named = "benchmark", matches = "true")
    void sixtySeconds() {
        Map<String, Long> counts = window(Duration.ofSeconds(60));
        System.out.printf(
                "BENCHMARK steady state: %d Ready clusters, 60 s after reconciling each again: operator "
                        + "requests by verb %s; tenant bootstrap (background, tenants unreachable here) %s%n",
                CLUSTERS, counts, snapshot(tenantWorkByVerb));
        assertThat(counts).isEmpty();
        assertThat(snapshot(tenantWorkByVerb)).isEmpty();
    }

    /**
     * Counts from now for {@code length}, after reconciling every cluster again: an annotation on each cluster's API
     * server Service, which the operator does not set, is an informer event for the cluster and nothing to write.
     */
    private static Map<String, Long> window(Duration length) {
        double before = reconciliations();
        byVerb.clear();
        tenantWorkByVerb.clear();
        requests.clear();
        IntStream.range(0, CLUSTERS)
                .forEach(i -> ApiServerSupport.edit(
                        admin.services().inNamespace(namespace).withName(Names.apiserverService("steady-" + i)), s -> {
                            s.getMetadata()
                                    .getAnnotations()
                                    .put("example.com/touched", String.valueOf(System.nanoTime()));
                            return s;
                        }));
        await().atMost(Duration.ofSeconds(30)).until(() -> reconciliations() >= before + CLUSTERS);
        await().pollDelay(length).atMost(length.plusSeconds(5)).until(() -> true);
        // Watches stay open the whole time: they are no request made in the window.
        Map<String, Long> counts = snapshot(byVerb);
        counts.remove("WATCH");
        System.out.printf(
                "steady state, %s after reconciling %d Ready clusters again (%.0f reconciles): operator "
                        + "requests by verb %s; tenant bootstrap in the background %s%n",
                length, CLUSTERS, reconciliations() - before, counts, snapshot(tenantWorkByVerb));
        return counts;
    }

    private static void count(HttpRequest request) {
        boolean watch =
                request.uri().getQuery() != null && request.uri().getQuery().contains("watch=true");
        String verb = watch ? "WATCH" : request.method();
        if (Thread.currentThread().getName().startsWith(TENANT_WORK)) {
            tenantWorkByVerb.computeIfAbsent(verb, v -> new AtomicLong()).incrementAndGet();
            return;
        }
        byVerb.computeIfAbsent(verb, v -> new AtomicLong()).incrementAndGet();
        if (!watch && requests.size() < 50) {
            requests.add(verb + " " + request.uri().getPath() + " ("
                    + Thread.currentThread().getName() + ")");
        }
    }

    private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
        return counts.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(), (a, b) -> a, TreeMap::new));
    }

    /** Reconciles of clusters that ended, as JOSDK's metrics count them. */
    private static double reconciliations() {
        List<Counter> counters = registry.getMeters().stream()
                .filter(m -> m instanceof Counter)
                .filter(m -> m.getId().getName().contains("reconciliations.success"))
                .map(m -> (Counter) m)
                .toList();
        return counters.stream()
                .filter(c -> c.getId().getTags().stream()
                        .anyMatch(t -> t.getValue().contains("skscluster")
                                || t.getValue().contains("SKSCluster")))
                .mapToDouble(Counter::count)
                .sum();
    }
}
