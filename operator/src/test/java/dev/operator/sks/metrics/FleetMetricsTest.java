package dev.operator.sks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestStatus;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterCertificates;
import dev.operator.sks.api.SKSClusterControlPlane;
import dev.operator.sks.api.SKSClusterEtcd;
import dev.operator.sks.api.SKSClusterEtcdMember;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.metrics.FleetMetrics.Fleet;
import dev.operator.sks.metrics.FleetMetrics.Series;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The per-resource series, computed from status alone: what each says, that labels stay bounded, and cardinality. */
class FleetMetricsTest {
    static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void aRunningClusterShowsReadinessStateVersionsExpiryTenantAndEtcd() {
        SKSCluster cluster = running("prod", "1.32.8");
        List<Series> series = FleetMetrics.series(fleet(List.of(cluster)), CATALOG);

        assertThat(value(series, FleetMetrics.CLUSTER_READY, "prod")).isEqualTo(1);
        assertThat(one(series, FleetMetrics.CLUSTER_STATE, "prod").labels()).containsEntry("state", "Running");
        Series version = one(series, FleetMetrics.CLUSTER_VERSION, "prod");
        assertThat(version.info()).isTrue();
        assertThat(version.labels())
                .containsEntry("version", "1.32.8")
                .containsEntry("available", "1.33.4"); // the newest it may move to, not the catalog's newest
        assertThat(value(series, FleetMetrics.CLUSTER_MINORS_BEHIND, "prod")).isEqualTo(2); // 1.34 is newest
        assertThat(value(series, FleetMetrics.CLUSTER_CA_EXPIRY, "prod"))
                .isEqualTo(Instant.parse("2035-12-30T00:00:00Z").getEpochSecond());
        assertThat(value(series, FleetMetrics.CLUSTER_CERTIFICATE_EXPIRY, "prod"))
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z").getEpochSecond());
        assertThat(value(series, FleetMetrics.CLUSTER_TENANT_REACHABLE, "prod")).isEqualTo(1);
        assertThat(value(series, FleetMetrics.CLUSTER_ETCD_MEMBERS, "prod")).isEqualTo(3);
        assertThat(value(series, FleetMetrics.CLUSTER_ETCD_LEARNERS, "prod")).isEqualTo(1);
        assertThat(series)
                .allSatisfy(s -> assertThat(s.labels())
                        .containsEntry("namespace", "team-a")
                        .containsEntry("name", "prod"));
    }

    @Test
    void etcdDbSizesAreTheLargestMembersWithClusterLabelsOnly() {
        SKSCluster cluster = running("prod", "1.32.8");
        cluster.getStatus().etcd.memberStatus = List.of(
                new SKSClusterEtcdMember("prod-etcd-0", 300L, 100L, null),
                new SKSClusterEtcdMember("prod-etcd-1", 500L, 90L, "2026-01-01T00:00:00Z"),
                new SKSClusterEtcdMember("prod-etcd-2", null, null, null));
        List<Series> series = FleetMetrics.series(fleet(List.of(cluster)), CATALOG);

        assertThat(value(series, FleetMetrics.CLUSTER_ETCD_DB_SIZE, "prod")).isEqualTo(500);
        assertThat(value(series, FleetMetrics.CLUSTER_ETCD_DB_SIZE_IN_USE, "prod"))
                .isEqualTo(100);
        assertThat(one(series, FleetMetrics.CLUSTER_ETCD_DB_SIZE, "prod").labels())
                .containsOnlyKeys("namespace", "name");
        assertThat(FleetMetrics.series(fleet(List.of(running("prod", "1.32.8"))), CATALOG))
                .as("nothing before maintenance found the sizes")
                .extracting(Series::metric)
                .doesNotContain(FleetMetrics.CLUSTER_ETCD_DB_SIZE, FleetMetrics.CLUSTER_ETCD_DB_SIZE_IN_USE);
    }

    @Test
    void aNewClusterIsPendingAndNotReadyWithNothingItCannotKnowYet() {
        SKSCluster fresh = cluster("fresh", null);
        List<Series> series = FleetMetrics.series(fleet(List.of(fresh)), CATALOG);

        assertThat(series)
                .extracting(Series::metric)
                .containsExactly(FleetMetrics.CLUSTER_READY, FleetMetrics.CLUSTER_STATE);
        assertThat(value(series, FleetMetrics.CLUSTER_READY, "fresh")).isZero();
        assertThat(one(series, FleetMetrics.CLUSTER_STATE, "fresh").labels()).containsEntry("state", "Pending");
    }

    @Test
    void anUnreachableTenantIsZeroAndAProbingOneHasNoSeries() {
        SKSCluster unreachable = running("a", "1.34.1");
        Conditions.set(
                unreachable.getStatus().conditions,
                Conditions.TENANT_REACHABLE,
                false,
                "TenantUnreachable",
                "x",
                1L,
                CLOCK);
        SKSCluster probing = running("b", "1.34.1");
        Conditions.set(
                probing.getStatus().conditions,
                Conditions.TENANT_REACHABLE,
                Conditions.UNKNOWN,
                "Probing",
                "x",
                1L,
                CLOCK);
        List<Series> series = FleetMetrics.series(fleet(List.of(unreachable, probing)), CATALOG);

        assertThat(value(series, FleetMetrics.CLUSTER_TENANT_REACHABLE, "a")).isZero();
        assertThat(series)
                .noneMatch(s -> s.metric().equals(FleetMetrics.CLUSTER_TENANT_REACHABLE)
                        && s.labels().get("name").equals("b"));
        // On the newest minor and patch: nothing behind, nothing to move to.
        assertThat(value(series, FleetMetrics.CLUSTER_MINORS_BEHIND, "a")).isZero();
        assertThat(one(series, FleetMetrics.CLUSTER_VERSION, "a").labels()).containsEntry("available", "1.34.1");
    }

    @Test
    void statesAreClosedSetsAndNoSeriesNamesAUserOrGroup() {
        List<String> clusterStates = new ArrayList<>(List.of(FleetMetrics.PENDING));
        for (ClusterState state : ClusterState.values()) {
            clusterStates.add(state.name());
        }
        KubeconfigRequest request = request("alice", "2026-01-31T00:00:00Z");
        request.getSpec().user = "alice@example.com";
        request.getSpec().groups = List.of("system:masters");
        List<Series> series = FleetMetrics.series(
                new Fleet(List.of(running("x", "1.33.4")), List.of(nodepool("w", 3, 2)), List.of(request), List.of()),
                CATALOG);

        assertThat(series)
                .filteredOn(s -> s.metric().equals(FleetMetrics.CLUSTER_STATE))
                .allSatisfy(s -> assertThat(clusterStates).contains(s.labels().get("state")));
        assertThat(series)
                .flatExtracting(s -> s.labels().values())
                .doesNotContain("alice@example.com", "system:masters");
        assertThat(series)
                .allSatisfy(s -> assertThat(s.labels().keySet())
                        .isSubsetOf("namespace", "name", "state", "cluster", "version", "available"));
    }

    @Test
    void nodepoolsShowSizesAndInstancePoolsEveryStateWithZeros() {
        InstancePool pool = new InstancePool();
        pool.setMetadata(meta("nodepool-w-1"));
        pool.setStatus(new InstancePoolStatus());
        pool.getStatus().instances = List.of(instance("Running"), instance("Running"), instance("Rebooting"));
        List<Series> series = FleetMetrics.series(
                new Fleet(List.of(), List.of(nodepool("w", 3, 2)), List.of(), List.of(pool)), CATALOG);

        assertThat(value(series, FleetMetrics.NODEPOOL_DESIRED_SIZE, "w")).isEqualTo(3);
        assertThat(value(series, FleetMetrics.NODEPOOL_SIZE, "w")).isEqualTo(3);
        assertThat(value(series, FleetMetrics.NODEPOOL_READY_NODES, "w")).isEqualTo(2);
        assertThat(value(series, FleetMetrics.NODEPOOL_READY, "w")).isZero();
        assertThat(one(series, FleetMetrics.NODEPOOL_STATE, "w").labels())
                .containsEntry("state", "Scaling")
                .containsEntry("cluster", "prod");
        Map<String, Double> byState = new java.util.TreeMap<>();
        series.stream()
                .filter(s -> s.metric().equals(FleetMetrics.INSTANCEPOOL_INSTANCES))
                .forEach(s -> byState.put(s.labels().get("state"), s.value()));
        assertThat(byState)
                .isEqualTo(Map.of("Starting", 0.0, "Running", 2.0, "Stopping", 0.0, "Failed", 0.0, "Other", 1.0));
    }

    @Test
    void aKubeconfigRequestShowsReadinessAndExpiry() {
        List<Series> series = FleetMetrics.series(
                new Fleet(List.of(), List.of(), List.of(request("alice", "2026-01-31T00:00:00Z")), List.of()), CATALOG);

        assertThat(value(series, FleetMetrics.KUBECONFIG_READY, "alice")).isEqualTo(1);
        assertThat(value(series, FleetMetrics.KUBECONFIG_EXPIRY, "alice"))
                .isEqualTo(Instant.parse("2026-01-31T00:00:00Z").getEpochSecond());
    }

    @Test
    void unreadableTimesAndVersionsGiveNoSeriesRatherThanAWrongOne() {
        SKSCluster odd = running("odd", "not-a-version");
        odd.getStatus().certificates = new SKSClusterCertificates("yesterday", null);
        List<Series> series = FleetMetrics.series(fleet(List.of(odd)), CATALOG);

        assertThat(series)
                .extracting(Series::metric)
                .doesNotContain(
                        FleetMetrics.CLUSTER_VERSION,
                        FleetMetrics.CLUSTER_MINORS_BEHIND,
                        FleetMetrics.CLUSTER_CA_EXPIRY,
                        FleetMetrics.CLUSTER_CERTIFICATE_EXPIRY);
    }

    /** What a Prometheus scrape shows: every metric under its name, and a deleted resource's series gone with it. */
    @Test
    void aScrapeShowsTheFleetAndForgetsDeletedResources() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicReference<List<SKSCluster>> clusters =
                new AtomicReference<>(List.of(running("keep", "1.33.4"), running("gone", "1.33.4")));
        registry.getPrometheusRegistry().register(new FleetCollector(() -> fleet(clusters.get()), CATALOG));

        String before = registry.scrape();
        assertThat(before)
                .contains("sks_cluster_ready{name=\"gone\",namespace=\"team-a\"} 1")
                .contains("sks_cluster_version_info{available=\"1.34.1\",name=\"keep\",namespace=\"team-a\","
                        + "version=\"1.33.4\"} 1")
                .contains("# TYPE sks_cluster_ca_expiry_timestamp_seconds gauge");

        clusters.set(List.of(running("keep", "1.33.4")));
        String after = registry.scrape();
        assertThat(after).contains("name=\"keep\"").doesNotContain("name=\"gone\"");
    }

    /** 9 series per running cluster, none added by the number of clusters: the cardinality a fleet costs. */
    @Test
    void aRunningClusterCostsNineSeries() {
        List<SKSCluster> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(running("c" + i, "1.33.4"));
        }
        assertThat(FleetMetrics.series(fleet(List.of(running("one", "1.33.4"))), CATALOG))
                .hasSize(9);
        assertThat(FleetMetrics.series(fleet(hundred), CATALOG)).hasSize(900);
    }

    @Test
    void aProClusterShowsTheSizeItsControlPlaneRunsAtAndAStarterNone() {
        SKSCluster pro = running("pro", "1.33.4");
        pro.getStatus().controlPlane = new SKSClusterControlPlane();
        pro.getStatus().controlPlane.size = ControlPlaneSize.L;
        SKSCluster starter = running("starter", "1.33.4");
        List<Series> series = FleetMetrics.series(fleet(List.of(pro, starter)), CATALOG);
        Series size = one(series, FleetMetrics.CLUSTER_CONTROL_PLANE_SIZE, "pro");
        assertThat(size.labels()).containsEntry("size", "L");
        assertThat(size.value()).isEqualTo(1);
        assertThat(series)
                .noneMatch(s -> s.metric().equals(FleetMetrics.CLUSTER_CONTROL_PLANE_SIZE)
                        && "starter".equals(s.labels().get("name")));
    }

    static Fleet fleet(List<SKSCluster> clusters) {
        return new Fleet(clusters, List.of(), List.of(), List.of());
    }

    static SKSCluster running(String name, String version) {
        SKSCluster cluster = cluster(name, new SKSClusterStatus());
        SKSClusterStatus status = cluster.getStatus();
        status.state = ClusterState.Running;
        status.version = version;
        status.availableUpgrades = version.equals("1.32.8")
                ? List.of("1.33.0", "1.33.4", "1.33.2")
                : version.equals("1.33.4") ? List.of("1.34.0", "1.34.1") : List.of();
        status.certificates = new SKSClusterCertificates("2035-12-30T00:00:00Z", "2027-01-01T00:00:00Z");
        status.etcd = new SKSClusterEtcd(3, 1);
        Conditions.set(status.conditions, Conditions.READY, true, "Running", "running", 1L, CLOCK);
        Conditions.set(status.conditions, Conditions.TENANT_REACHABLE, true, "Applied", "ok", 1L, CLOCK);
        return cluster;
    }

    static SKSCluster cluster(String name, SKSClusterStatus status) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(meta(name));
        cluster.setStatus(status);
        return cluster;
    }

    static Nodepool nodepool(String name, int size, int readyNodes) {
        Nodepool pool = new Nodepool();
        pool.setMetadata(meta(name));
        pool.setSpec(new NodepoolSpec());
        pool.getSpec().cluster = "prod";
        pool.getSpec().size = size;
        pool.setStatus(new NodepoolStatus());
        pool.getStatus().cluster = "prod";
        pool.getStatus().size = size;
        pool.getStatus().readyNodes = readyNodes;
        pool.getStatus().state = PoolState.Scaling;
        return pool;
    }

    static KubeconfigRequest request(String name, String expiration) {
        KubeconfigRequest request = new KubeconfigRequest();
        request.setMetadata(meta(name));
        request.setSpec(new dev.operator.sks.api.KubeconfigRequestSpec());
        request.setStatus(new KubeconfigRequestStatus());
        request.getStatus().expirationTime = expiration;
        Conditions.set(request.getStatus().conditions, Conditions.READY, true, "Issued", "issued", 1L, CLOCK);
        return request;
    }

    static Instance instance(String state) {
        Instance instance = new Instance();
        instance.state = state;
        return instance;
    }

    static io.fabric8.kubernetes.api.model.ObjectMeta meta(String name) {
        return new ObjectMetaBuilder().withNamespace("team-a").withName(name).build();
    }

    static Series one(List<Series> series, String metric, String name) {
        return series.stream()
                .filter(s -> s.metric().equals(metric) && name.equals(s.labels().get("name")))
                .reduce((a, b) -> {
                    throw new AssertionError("two " + metric + " series for " + name);
                })
                .orElseThrow(() -> new AssertionError("no " + metric + " series for " + name + " in " + series));
    }

    static double value(List<Series> series, String metric, String name) {
        return one(series, metric, name).value();
    }
}
