package dev.operator.sks.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.Level;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControlPlaneSizesTest {

    @Test
    void starterHasOneFixedProfileWhateverSizeIsRecorded() {
        assertThat(ControlPlaneSizes.of(Level.STARTER, Optional.empty())).isSameAs(ControlPlaneSizes.STARTER);
        assertThat(ControlPlaneSizes.of(Level.STARTER, Optional.of(ControlPlaneSize.XL)))
                .isSameAs(ControlPlaneSizes.STARTER);
        assertThat(ControlPlaneSizes.STARTER.apiserverReplicas()).isEqualTo(1);
        assertThat(ControlPlaneSizes.STARTER.name()).isEqualTo("starter");
    }

    @Test
    void aProClusterWithoutARecordedSizeRunsSWhichIsWhatProRanBeforeSizes() {
        SizeProfile s = ControlPlaneSizes.of(Level.PRO, Optional.empty());
        assertThat(s.size()).contains(ControlPlaneSize.S);
        assertThat(s.apiserverReplicas()).isEqualTo(2);
        // The figures pro rendered before sizes existed: an upgraded operator rolls no pod.
        assertThat(s.apiserver()).isEqualTo(new Requests("250m", "512Mi"));
        assertThat(s.etcd()).isEqualTo(new Requests("100m", "256Mi"));
        assertThat(s.controllerManager()).isEqualTo(new Requests("100m", "128Mi"));
        assertThat(s.scheduler()).isEqualTo(new Requests("50m", "64Mi"));
        assertThat(ControlPlaneSizes.of(Level.PRO, Optional.of(ControlPlaneSize.L))
                        .size())
                .contains(ControlPlaneSize.L);
    }

    @Test
    void eachSizeServesMoreThanTheOneBeforeAndOnlyTheLargestIsUnbounded() {
        ControlPlaneSize[] sizes = ControlPlaneSize.values();
        for (int i = 1; i < sizes.length; i++) {
            SizeProfile smaller = ControlPlaneSizes.of(sizes[i - 1]);
            SizeProfile larger = ControlPlaneSizes.of(sizes[i]);
            assertThat(larger.apiserverReplicas()).isGreaterThanOrEqualTo(smaller.apiserverReplicas());
            assertThat(larger.upTo().nodes()).isGreaterThan(smaller.upTo().nodes());
            assertThat(larger.upTo().objects()).isGreaterThan(smaller.upTo().objects());
            assertThat(larger.upTo().requestsPerSecond())
                    .isGreaterThan(smaller.upTo().requestsPerSecond());
            assertThat(larger.upTo().inflight()).isGreaterThan(smaller.upTo().inflight());
            assertThat(larger.apiserver()).isNotEqualTo(smaller.apiserver());
            assertThat(larger.etcd()).isNotEqualTo(smaller.etcd());
        }
        assertThat(Arrays.stream(sizes)
                        .filter(s -> ControlPlaneSizes.of(s).upTo().equals(Limits.NONE)))
                .containsExactly(ControlPlaneSize.XL);
    }

    @Test
    void stepsGoOneSizeAtATimeAndStopAtTheEnds() {
        assertThat(ControlPlaneSizes.larger(ControlPlaneSize.S)).contains(ControlPlaneSize.M);
        assertThat(ControlPlaneSizes.larger(ControlPlaneSize.L)).contains(ControlPlaneSize.XL);
        assertThat(ControlPlaneSizes.larger(ControlPlaneSize.XL)).isEmpty();
        assertThat(ControlPlaneSizes.smaller(ControlPlaneSize.XL)).contains(ControlPlaneSize.L);
        assertThat(ControlPlaneSizes.smaller(ControlPlaneSize.M)).contains(ControlPlaneSize.S);
        assertThat(ControlPlaneSizes.smaller(ControlPlaneSize.S)).isEmpty();
    }

    @Test
    void limitsNameEveryFigureOverThemInOrder() {
        Limits m = ControlPlaneSizes.of(ControlPlaneSize.M).upTo();
        LoadSample sample = LoadSample.of(java.time.Instant.EPOCH, 212, 10, 400.5, 10);
        assertThat(m.exceeded(sample))
                .extracting(Limits.Figure::kind)
                .containsExactly(Limits.Figure.Kind.NODES, Limits.Figure.Kind.REQUEST_RATE);
        assertThat(m.exceeded(sample).get(0).valueText()).isEqualTo("212 Nodes");
        assertThat(m.exceeded(sample).get(1).valueText()).isEqualTo("400.5 requests/s");
        assertThat(m.holds(LoadSample.of(java.time.Instant.EPOCH, 150, 150_000, 300, 300)))
                .as("at the limit is within it")
                .isTrue();
        assertThat(m.holds(new LoadSample(java.time.Instant.EPOCH, 1, 1, java.util.OptionalDouble.empty(), 1)))
                .isTrue();
        assertThat(m.times(0.7).nodes()).isEqualTo(105);
    }
}
