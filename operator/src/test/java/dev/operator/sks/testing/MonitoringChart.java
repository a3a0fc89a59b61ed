package dev.operator.sks.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart's monitoring, rendered with real Helm: the Grafana dashboard ConfigMap and the PrometheusRule, and every
 * PromQL expression in them, where it came from.
 */
public final class MonitoringChart {
    public static final String VALUES = """
            grafana: {dashboard: {enabled: true}}
            prometheusRule: {enabled: true}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An expression and where it is: a panel and target of the dashboard, or an alert. */
    public record Expression(String where, String expr) {}

    private MonitoringChart() {}

    public static List<HasMetadata> render() {
        return HelmCharts.render(VALUES);
    }

    public static ConfigMap dashboardConfigMap(List<HasMetadata> objects) {
        return HelmCharts.one(objects, ConfigMap.class, HelmCharts.FULLNAME + "-dashboard");
    }

    public static JsonNode dashboard(List<HasMetadata> objects) {
        try {
            return JSON.readTree(dashboardConfigMap(objects).getData().get("sks-operator-fleet.json"));
        } catch (Exception e) {
            throw new AssertionError("the dashboard is not JSON", e);
        }
    }

    public static GenericKubernetesResource prometheusRule(List<HasMetadata> objects) {
        return HelmCharts.ofType(objects, GenericKubernetesResource.class).stream()
                .filter(o -> "PrometheusRule".equals(o.getKind()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no PrometheusRule in the rendered chart"));
    }

    /** The spec of the PrometheusRule: the {@code groups:} of a Prometheus rules file. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> ruleSpec(List<HasMetadata> objects) {
        return (Map<String, Object>)
                prometheusRule(objects).getAdditionalProperties().get("spec");
    }

    public static List<Expression> expressions() {
        return expressions(render());
    }

    @SuppressWarnings("unchecked")
    public static List<Expression> expressions(List<HasMetadata> objects) {
        List<Expression> out = new ArrayList<>();
        for (JsonNode panel : dashboard(objects).get("panels")) {
            panels(panel, out);
        }
        for (Map<String, Object> group :
                (List<Map<String, Object>>) ruleSpec(objects).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                out.add(new Expression("alert " + rule.get("alert"), String.valueOf(rule.get("expr"))));
            }
        }
        return out;
    }

    private static void panels(JsonNode panel, List<Expression> out) {
        if (panel.has("panels")) {
            panel.get("panels").forEach(p -> panels(p, out));
        }
        if (panel.has("targets")) {
            for (JsonNode target : panel.get("targets")) {
                if (target.has("expr")) {
                    out.add(new Expression(
                            "panel '" + panel.get("title").asText() + "' target "
                                    + target.path("refId").asText(),
                            target.get("expr").asText()));
                }
            }
        }
    }
}
