package dev.operator.sks.metrics;

import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.metrics.FleetMetrics.Fleet;
import dev.operator.sks.metrics.FleetMetrics.Series;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link FleetMetrics#series} to Prometheus, computed from the operator's caches at each scrape: no API
 * request, and a deleted resource's series vanish with it (a Micrometer gauge per resource would have to be found and
 * removed). Registered on the Prometheus registry behind Micrometer's, so one {@code /metrics} serves both.
 */
public final class FleetCollector implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(FleetCollector.class);

    private final Supplier<Fleet> fleet;
    private final VersionCatalog catalog;

    public FleetCollector(Supplier<Fleet> fleet, VersionCatalog catalog) {
        this.fleet = fleet;
        this.catalog = catalog;
    }

    @Override
    public MetricSnapshots collect() {
        List<Series> series;
        try {
            series = FleetMetrics.series(fleet.get(), catalog);
        } catch (RuntimeException e) {
            // A scrape must not fail the operator's other metrics because a cache is not there yet.
            LOG.debug("no fleet metrics this scrape: {}", e.toString());
            return new MetricSnapshots();
        }
        return snapshots(series);
    }

    /** One snapshot per metric, in the order the series came. */
    static MetricSnapshots snapshots(List<Series> series) {
        Map<String, List<Series>> byMetric = new LinkedHashMap<>();
        series.forEach(s ->
                byMetric.computeIfAbsent(s.metric(), m -> new ArrayList<>()).add(s));
        List<MetricSnapshot> snapshots = new ArrayList<>();
        byMetric.forEach(
                (metric, points) -> snapshots.add(points.get(0).info() ? info(metric, points) : gauge(metric, points)));
        return new MetricSnapshots(snapshots);
    }

    private static MetricSnapshot gauge(String metric, List<Series> points) {
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(metric).help(FleetMetrics.help(metric));
        points.forEach(p -> builder.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(labels(p.labels()))
                .value(p.value())
                .build()));
        return builder.build();
    }

    private static MetricSnapshot info(String metric, List<Series> points) {
        InfoSnapshot.Builder builder = InfoSnapshot.builder().name(metric).help(FleetMetrics.help(metric));
        points.forEach(p -> builder.dataPoint(
                InfoDataPointSnapshot.builder().labels(labels(p.labels())).build()));
        return builder.build();
    }

    private static Labels labels(Map<String, String> labels) {
        return Labels.of(List.copyOf(labels.keySet()), List.copyOf(labels.values()));
    }
}
