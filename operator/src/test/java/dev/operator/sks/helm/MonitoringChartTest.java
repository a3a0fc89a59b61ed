package dev.operator.sks.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operator.sks.metrics.FleetMetrics;
import dev.operator.sks.testing.HelmCharts;
import dev.operator.sks.testing.MonitoringChart;
import dev.operator.sks.testing.MonitoringChart.Expression;
import dev.operator.sks.testing.PromQl;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's Grafana dashboard and PrometheusRule: off by default, and when on, every PromQL expression in them is
 * valid for the real promtool (its rules check parses each one, and the alerts' templates). That the metrics they
 * name are served is checked against a running operator in {@code FleetMetricsApiServerTest}.
 */
class MonitoringChartTest {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @Test
    void neitherIsRenderedByDefault() {
        List<HasMetadata> objects = HelmCharts.render("");
        assertThat(HelmCharts.find(objects, ConfigMap.class, HelmCharts.FULLNAME + "-dashboard"))
                .isEmpty();
        assertThat(HelmCharts.ofType(objects, GenericKubernetesResource.class))
                .noneMatch(o -> "PrometheusRule".equals(o.getKind()));
    }

    @Test
    void theDashboardIsAConfigMapGrafanasSidecarLoads() {
        List<HasMetadata> objects = MonitoringChart.render();
        ConfigMap configMap = MonitoringChart.dashboardConfigMap(objects);
        assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(configMap.getMetadata().getNamespace()).isEqualTo(HelmCharts.NAMESPACE);
        JsonNode dashboard = MonitoringChart.dashboard(objects);
        assertThat(dashboard.get("uid").asText()).isEqualTo("sks-operator-fleet");
        List<String> titles = new ArrayList<>();
        dashboard.get("panels").forEach(p -> titles.add(p.get("title").asText()));
        assertThat(titles)
                .contains(
                        "Clusters by state",
                        "Versions",
                        "Certificates expiring first (days left)",
                        "Nodepool capacity per cluster",
                        "Reconciles per second",
                        "Reconcile errors",
                        "Heap used",
                        "CPU");
        // Every panel reads the data source the user picks, so the dashboard works with any Prometheus.
        dashboard
                .get("panels")
                .forEach(p -> assertThat(p.path("datasource").path("uid").asText("${datasource}"))
                        .isEqualTo("${datasource}"));
    }

    @Test
    void theAlertsCoverReadinessExpiryLeaderAndTenant() {
        List<HasMetadata> objects = HelmCharts.render(
                MonitoringChart.VALUES + "prometheusRule: {enabled: true, labels: {release: prom}}\n");
        GenericKubernetesResource rule = MonitoringChart.prometheusRule(objects);
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prom");
        Map<String, String> alerts = new LinkedHashMap<>();
        MonitoringChart.expressions(objects).stream()
                .filter(e -> e.where().startsWith("alert "))
                .forEach(e -> alerts.put(e.where().substring("alert ".length()), e.expr()));
        assertThat(alerts)
                .containsOnlyKeys(
                        "SKSClusterNotReady",
                        "SKSClusterCertificateExpiring",
                        "SKSClusterCAExpiring",
                        "SKSClusterTenantUnreachable",
                        "SKSOperatorNoLeader");
        assertThat(alerts.get("SKSClusterCAExpiring")).contains("30 * 86400");
        assertThat(alerts.get("SKSOperatorNoLeader")).contains(FleetMetrics.LEADER_PROMETHEUS);
    }

    @Test
    void everyExpressionIsValidPromQlForPromtool() throws Exception {
        List<HasMetadata> objects = MonitoringChart.render();
        List<Expression> expressions = MonitoringChart.expressions(objects);
        assertThat(expressions).hasSizeGreaterThan(20);

        // The alerts as Prometheus would load them, and each dashboard query as a recording rule.
        Map<String, Object> spec = MonitoringChart.ruleSpec(objects);
        @SuppressWarnings("unchecked")
        List<Object> groups = new ArrayList<>((List<Object>) spec.get("groups"));
        List<Map<String, Object>> records = new ArrayList<>();
        int i = 0;
        for (Expression e : expressions) {
            if (!e.where().startsWith("alert ")) {
                records.add(Map.of("record", "sks:dashboard_query_" + i++ + ":check", "expr", e.expr()));
            }
        }
        groups.add(Map.of("name", "dashboard", "rules", records));
        Path rules = Files.createTempFile("sks-rules", ".yaml");
        try {
            Files.writeString(rules, new Yaml().dump(Map.of("groups", groups)));
            Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", rules.toString())
                    .redirectErrorStream(true)
                    .start();
            assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(promtool.getInputStream().readAllBytes());
            assertThat(promtool.exitValue()).as(output).isZero();
            assertThat(output).contains("SUCCESS: " + (expressions.size()) + " rules found");
        } finally {
            Files.deleteIfExists(rules);
        }
    }

    /** The tokenizer the name check relies on: functions, labels, strings, durations and keywords are not names. */
    @Test
    void metricNamesAreFoundAndNothingElse() {
        assertThat(PromQl.metricNames("histogram_quantile(0.9, sum by (le) (rate(a_bucket{job=~\"$job\"}[1h])))"))
                .containsExactly("a_bucket");
        assertThat(PromQl.metricNames("max(x) < 1 or absent(y)")).containsExactly("x", "y");
        assertThat(PromQl.metricNames("(b - time()) / 86400 < 7 and on (name) c{area=\"heap or nonheap\"}"))
                .containsExactly("b", "c");
        assertThat(PromQl.metricNames("sum without (instance) (rate(d[5m] offset 1h)) > bool 1e3"))
                .containsExactly("d");
        Set<String> all = new TreeSet<>();
        MonitoringChart.expressions().forEach(e -> all.addAll(PromQl.metricNames(e.expr())));
        assertThat(all).allSatisfy(n -> assertThat(n).matches("[a-z_]+"));
    }
}
