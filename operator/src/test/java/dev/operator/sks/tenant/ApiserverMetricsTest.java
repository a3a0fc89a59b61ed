package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.sizing.LoadSample;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The few series that size a control plane, from text in kube-apiserver's exposition format. */
class ApiserverMetricsTest {
    private static final String CURRENT = """
            # HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind.
            # TYPE apiserver_storage_objects gauge
            apiserver_storage_objects{resource="nodes"} 212
            apiserver_storage_objects{resource="pods"} 3100
            apiserver_storage_objects{resource="events"} -1
            apiserver_storage_objects{resource="configmaps"} 88
            # TYPE apiserver_request_total counter
            apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 1500
            apiserver_request_total{code="201",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="POST",version="v1"} 500
            apiserver_request_total{code="0",component="apiserver",group="",resource="x",scope="",subresource="",verb="WATCH",version="v1",note="a \\"quoted\\", odd, value } here"} 7
            # TYPE apiserver_current_inflight_requests gauge
            apiserver_current_inflight_requests{request_kind="mutating"} 3
            apiserver_current_inflight_requests{request_kind="readOnly"} 9
            apiserver_request_duration_seconds_bucket{le="+Inf",verb="GET"} 12
            apiserver_storage_objects{resource="broken" 5
            apiserver_current_inflight_requests{request_kind="odd"} NaN
            """;

    @Test
    void sumsObjectsRequestsAndInflightAndReadsNodesFromTheObjectCounts() {
        ApiserverMetrics.Figures figures = ApiserverMetrics.figures(CURRENT);
        assertThat(figures.nodes()).isEqualTo(OptionalLong.of(212));
        assertThat(figures.objects()).as("an unknown count (-1) adds nothing").isEqualTo(212 + 3100 + 88);
        assertThat(figures.requestTotal()).isEqualTo(2007);
        assertThat(figures.inflight()).as("a NaN sample is skipped").isEqualTo(12);
    }

    @Test
    void before121TheObjectCountsAreEtcdObjectCounts() {
        ApiserverMetrics.Figures figures = ApiserverMetrics.figures("""
                etcd_object_counts{resource="nodes"} 4
                etcd_object_counts{resource="secrets"} 40
                """);
        assertThat(figures.nodes()).isEqualTo(OptionalLong.of(4));
        assertThat(figures.objects()).isEqualTo(44);
        assertThat(ApiserverMetrics.figures("etcd_object_counts{resource=\"secrets\"} 40")
                        .nodes())
                .isEmpty();
    }

    @Test
    void labelsWithEscapedQuotesAndBracesAreRead() {
        var samples = ApiserverMetrics.parse(CURRENT);
        assertThat(samples)
                .filteredOn(s -> s.labels().containsKey("note"))
                .singleElement()
                .satisfies(s -> assertThat(s.labels().get("note")).isEqualTo("a \"quoted\", odd, value } here"));
        assertThat(samples).noneMatch(s -> "broken".equals(s.labels().get("resource")));
    }

    @Test
    void theRateIsTheCounterDifferenceOverTimeForEveryReplica() {
        Instant t0 = Instant.parse("2026-05-01T00:00:00Z");
        var before = new ControlPlaneLoad.Scrape(t0, new ApiserverMetrics.Figures(OptionalLong.of(3), 10, 1000, 2));
        var after = new ControlPlaneLoad.Scrape(
                t0.plusSeconds(30), new ApiserverMetrics.Figures(OptionalLong.of(3), 10, 1600, 5));
        LoadSample sample = ControlPlaneLoad.sample(before, after, 3, 2);
        assertThat(sample.requestsPerSecond().getAsDouble()).isEqualTo(40.0);
        assertThat(sample.inflight()).isEqualTo(10);
        assertThat(sample.nodes()).isEqualTo(3);
        assertThat(ControlPlaneLoad.sample(null, after, 3, 2).requestsPerSecond())
                .as("first scrape")
                .isEmpty();
        assertThat(ControlPlaneLoad.sample(
                                after, new ControlPlaneLoad.Scrape(t0.plusSeconds(60), before.figures()), 3, 2)
                        .requestsPerSecond())
                .as("a counter that went back: a restarted or another replica")
                .isEmpty();
    }
}
