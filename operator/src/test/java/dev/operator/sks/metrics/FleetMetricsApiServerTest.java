package dev.operator.sks.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.OperatorHttpServer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MonitoringChart;
import dev.operator.sks.testing.PromQl;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's {@code /metrics} over HTTP, with a real cluster, nodepool and kubeconfig request: each resource's
 * series say what its status says, a deleted cluster's series go with it, and every metric the Helm chart's
 * dashboard and alerts query is served.
 */
@SharedApiServer
class FleetMetricsApiServerTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static OperatorHttpServer http;
    static ClusterStandIn kubelet;
    static String namespace;

    @BeforeAll
    static void fleet() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        PrometheusMeterRegistry registry = PrometheusRegistries.withJvmMetrics();
        operator = ApiServerSupport.startOperator(
                client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()), registry);
        http = new OperatorHttpServer(0, operator::isLive, operator::notReadyReason, registry);
        namespace = ApiServerSupport.newNamespace(client, "metrics");
        kubelet = ClusterStandIn.watch(client, namespace);
        apply(cluster("alpha"));
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: workers}
                spec: {cluster: alpha, size: 2, instanceType: standard.medium}
                """);
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: KubeconfigRequest
                metadata: {name: alice}
                spec: {cluster: alpha, user: alice, groups: [dev], ttlSeconds: 86400}
                """);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> get(SKSCluster.class, "alpha")
                        .filter(c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running)
                        .isPresent());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> get(KubeconfigRequest.class, "alice")
                        .filter(r ->
                                r.getStatus() != null && Conditions.isTrue(r.getStatus().conditions, Conditions.READY))
                        .isPresent());
        // The tenant series is served once the first probe of the cluster's API server has ended, either way; it runs
        // beside the reconciles that made the cluster Running.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> get(SKSCluster.class, "alpha")
                        .flatMap(c -> Conditions.find(c.getStatus().conditions, Conditions.TENANT_REACHABLE))
                        .filter(c -> !Conditions.UNKNOWN.equals(c.getStatus()))
                        .isPresent());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> get(Nodepool.class, "workers")
                        .filter(p -> p.getStatus() != null
                                && p.getStatus().state == PoolState.Running
                                && Integer.valueOf(2).equals(p.getStatus().size))
                        .isPresent());
    }

    @AfterAll
    static void stop() {
        kubelet.close();
        http.close();
        operator.close();
        client.close();
    }

    @Test
    void eachResourceHasSeriesThatSayWhatItsStatusSays() throws Exception {
        SKSCluster alpha = get(SKSCluster.class, "alpha").orElseThrow();
        Instant now = Instant.now();
        // The instance pool's size lags the nodepool's by nothing here, but its reporting reaches the cache later.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> value(scrape(), FleetMetrics.INSTANCEPOOL_INSTANCES, Map.of("state", "Running"))
                        .orElse(0.0)
                        .equals(2.0));
        String scrape = scrape();
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/fleet-metrics-scrape.txt"), scrape);

        assertThat(value(scrape, FleetMetrics.CLUSTER_READY, id("alpha"))).contains(1.0);
        assertThat(value(scrape, FleetMetrics.CLUSTER_STATE, with(id("alpha"), "state", "Running")))
                .contains(1.0);
        assertThat(value(
                        scrape,
                        FleetMetrics.CLUSTER_VERSION_INFO,
                        with(id("alpha"), "version", alpha.getStatus().version)))
                .contains(1.0);
        assertThat(value(scrape, FleetMetrics.CLUSTER_MINORS_BEHIND, id("alpha")))
                .contains(1.0); // 1.33 of 1.34
        // CAs live ten years, leaves one: both read from the certificates the cluster's Secrets hold.
        assertThat(value(scrape, FleetMetrics.CLUSTER_CA_EXPIRY, id("alpha")).orElseThrow())
                .isGreaterThan(now.plus(Duration.ofDays(9 * 365)).getEpochSecond());
        assertThat(value(scrape, FleetMetrics.CLUSTER_CERTIFICATE_EXPIRY, id("alpha"))
                        .orElseThrow())
                .isBetween((double) now.plus(Duration.ofDays(300)).getEpochSecond(), (double)
                        now.plus(Duration.ofDays(400)).getEpochSecond());
        assertThat(Instant.parse(alpha.getStatus().certificates.caExpirationTime))
                .isAfter(now.plus(Duration.ofDays(9 * 365)));
        assertThat(value(scrape, FleetMetrics.CLUSTER_ETCD_MEMBERS, id("alpha")))
                .contains(1.0);
        assertThat(value(scrape, FleetMetrics.CLUSTER_ETCD_LEARNERS, id("alpha")))
                .contains(0.0);
        assertThat(value(scrape, FleetMetrics.NODEPOOL_DESIRED_SIZE, with(id("workers"), "cluster", "alpha")))
                .contains(2.0);
        assertThat(value(scrape, FleetMetrics.NODEPOOL_SIZE, id("workers"))).contains(2.0);
        assertThat(value(scrape, FleetMetrics.NODEPOOL_STATE, with(id("workers"), "state", "Running")))
                .contains(1.0);
        assertThat(value(scrape, FleetMetrics.KUBECONFIG_READY, id("alice"))).contains(1.0);
        assertThat(value(scrape, FleetMetrics.KUBECONFIG_EXPIRY, id("alice")).orElseThrow())
                .isGreaterThan(now.plus(Duration.ofHours(23)).getEpochSecond());
        assertThat(value(scrape, FleetMetrics.LEADER_PROMETHEUS, Map.of())).contains(1.0);
        assertThat(value(scrape, FleetMetrics.TIME_TO_READY_PROMETHEUS + "_count", Map.of())
                        .orElseThrow())
                .isGreaterThanOrEqualTo(1.0);
        assertThat(value(
                        scrape,
                        FleetMetrics.RECONCILE_ERRORS_PROMETHEUS,
                        Map.of("kind", "SKSCluster", "reason", "Internal")))
                .isPresent();
        // No series names the user or group of a kubeconfig.
        assertThat(scrape).doesNotContain("\"dev\"").doesNotContain("user=");
    }

    @Test
    void aDeletedClustersSeriesGoWithIt() throws Exception {
        apply(cluster("beta"));
        await().atMost(Duration.ofSeconds(120))
                .until(() ->
                        value(scrape(), FleetMetrics.CLUSTER_READY, id("beta")).equals(Optional.of(1.0)));
        assertThat(value(scrape(), FleetMetrics.CLUSTER_CA_EXPIRY, id("beta"))).isPresent();

        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("beta")
                .delete();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> get(SKSCluster.class, "beta").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> !scrape().contains("name=\"beta\""));

        assertThat(value(scrape(), FleetMetrics.CLUSTER_READY, id("alpha"))).contains(1.0);
    }

    /** Every metric name in the chart's dashboard and alert rules is one a running operator serves. */
    @Test
    void everyMetricTheDashboardAndAlertsQueryIsServed() throws Exception {
        Set<String> served = names(scrape());
        Set<String> queried = new TreeSet<>();
        MonitoringChart.expressions().forEach(e -> queried.addAll(PromQl.metricNames(e.expr())));

        assertThat(queried).isNotEmpty();
        assertThat(served).containsAll(queried);
    }

    static String scrape() throws Exception {
        {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + FleetMetricsApiServerTest.http.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }

    /** The metric names of a scrape's samples (histograms by their _bucket, _count and _sum series). */
    static Set<String> names(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The value of the one sample of {@code metric} whose labels include {@code labels}. */
    static Optional<Double> value(String scrape, String metric, Map<String, String> labels) {
        Optional<Double> found = Optional.empty();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(metric)) {
                continue;
            }
            String body = m.group(3) == null ? "" : m.group(3);
            boolean matches =
                    labels.entrySet().stream().allMatch(e -> body.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (matches) {
                assertThat(found).as("one %s series with %s", metric, labels).isEmpty();
                found = Optional.of(Double.parseDouble(m.group(4)));
            }
        }
        return found;
    }

    static Map<String, String> id(String name) {
        return Map.of("namespace", namespace, "name", name);
    }

    static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(labels);
        copy.put(key, value);
        return copy;
    }

    static String cluster(String name) {
        return """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s}
                spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
                """.formatted(name);
    }

    static <T extends HasMetadata> Optional<T> get(Class<T> type, String name) {
        return Optional.ofNullable(
                client.resources(type).inNamespace(namespace).withName(name).get());
    }

    static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
