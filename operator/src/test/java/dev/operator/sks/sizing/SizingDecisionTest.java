package dev.operator.sks.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.sizing.SizingDecision.Decision;
import dev.operator.sks.sizing.SizingDecision.Observed;
import dev.operator.sks.sizing.SizingDecision.Policy;
import dev.operator.sks.sizing.SizingDecision.Resize;
import dev.operator.sks.sizing.SizingDecision.Stay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The sizing decision over recorded series: a sample every 30 s (as the observer scrapes), replayed as the reconciler
 * runs it, the size and last change carried from one decision to the next as status carries them.
 */
class SizingDecisionTest {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final Policy POLICY = Policy.DEFAULT;

    /** A size change in a replay: when, from, to, why. */
    record Change(Duration after, ControlPlaneSize from, ControlPlaneSize to, String reason) {}

    @Test
    void nothingObservedChangesNothing() {
        assertThat(SizingDecision.decide(new Observed(ControlPlaneSize.M, Optional.empty(), List.of()), T0, POLICY))
                .isEqualTo(new Stay(ControlPlaneSize.M));
    }

    @Test
    void aRampOfNodesGrowsSToMOnceItStaysOverTheLimitForFiveMinutes() {
        // 10 Nodes, one more every 30 s: 51 (over S's 50) at minute 20:30, then more.
        List<LoadSample> series = series(80, i -> nodes(10 + i));
        List<Change> changes = replay(ControlPlaneSize.S, series);
        assertThat(changes).hasSize(1);
        Change change = changes.get(0);
        assertThat(change.from()).isEqualTo(ControlPlaneSize.S);
        assertThat(change.to()).isEqualTo(ControlPlaneSize.M);
        // The first sample over is at step 41 (51 Nodes); five minutes of them is step 51.
        assertThat(change.after()).isEqualTo(STEP.multipliedBy(51));
        assertThat(change.reason()).isEqualTo("from S to M: 61 Nodes over the S limit of 50 for 5 minutes");
    }

    @Test
    void aSpikeShorterThanTheCoolDownChangesNothing() {
        // Four minutes of 500 requests/s in the middle of an idle hour.
        List<LoadSample> series = series(120, i -> i >= 40 && i < 48 ? rate(500) : rate(20));
        assertThat(replay(ControlPlaneSize.S, series)).isEmpty();
    }

    @Test
    void loadFlappingAroundALimitChangesTheSizeAtMostOnce() {
        // Around M's Node limit (150), one minute over, one under, for three hours: never five minutes over.
        assertThat(replay(ControlPlaneSize.M, series(360, i -> nodes((i / 2) % 2 == 0 ? 148 : 153))))
                .isEmpty();
        // Around S's limit while at M: the load never goes well below S (35 Nodes), so M stays.
        assertThat(replay(ControlPlaneSize.M, series(360, i -> nodes((i / 2) % 2 == 0 ? 45 : 55))))
                .isEmpty();
        // Sustained just over S's limit from S: up once, then it stays at M although it stays near S's limit.
        List<Change> changes = replay(ControlPlaneSize.S, series(360, i -> nodes(i % 3 == 0 ? 52 : 55)));
        assertThat(changes).extracting(Change::to).containsExactly(ControlPlaneSize.M);
    }

    @Test
    void aSustainedDropShrinksOneSizeAfterThirtyMinutesAndTheNextAfterThirtyMore() {
        List<Change> changes = replay(ControlPlaneSize.L, series(200, i -> nodes(10)));
        assertThat(changes)
                .extracting(Change::from, Change::to, Change::after)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                ControlPlaneSize.L, ControlPlaneSize.M, Duration.ofMinutes(30)),
                        org.assertj.core.groups.Tuple.tuple(
                                ControlPlaneSize.M, ControlPlaneSize.S, Duration.ofMinutes(60)));
        assertThat(changes.get(1).reason())
                .isEqualTo("from M to S: 10 Nodes at most, well below the S limit (under 35) for 30 minutes");
    }

    @Test
    void aDropThatIsNotWellBelowTheSmallerSizeKeepsTheSize() {
        // 40 Nodes is under S's 50 but above 70 % of it: M stays however long it lasts.
        assertThat(replay(ControlPlaneSize.M, series(400, i -> nodes(40)))).isEmpty();
    }

    @Test
    void farOverTheLimitItGrowsOneSizeAtATimeEachAfterItsOwnCoolDown() {
        List<Change> changes = replay(ControlPlaneSize.S, series(60, i -> nodes(900)));
        assertThat(changes)
                .extracting(Change::to, Change::after)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ControlPlaneSize.M, Duration.ofMinutes(5)),
                        org.assertj.core.groups.Tuple.tuple(ControlPlaneSize.L, Duration.ofMinutes(10)),
                        org.assertj.core.groups.Tuple.tuple(ControlPlaneSize.XL, Duration.ofMinutes(15)));
    }

    @Test
    void anyOneFigureOverItsLimitCounts() {
        assertThat(replay(ControlPlaneSize.S, series(20, i -> objects(60_000))))
                .extracting(Change::to)
                .containsExactly(ControlPlaneSize.M);
        assertThat(replay(ControlPlaneSize.S, series(20, i -> inflight(150))))
                .extracting(Change::reason)
                .containsExactly("from S to M: 150 in-flight requests over the S limit of 100 for 5 minutes");
        assertThat(replay(ControlPlaneSize.M, series(20, i -> rate(450.5))))
                .extracting(Change::reason)
                .containsExactly("from M to L: 450.5 requests/s over the M limit of 300 for 5 minutes");
    }

    @Test
    void aGapInTheObservationsRestartsTheCount() {
        // Over the limit throughout, but nothing observed from minute 3 to minute 6: the five minutes count from 6.
        List<LoadSample> series = new ArrayList<>(series(30, i -> nodes(80)));
        series.removeIf(s ->
                !s.at().isBefore(T0.plus(Duration.ofMinutes(3))) && s.at().isBefore(T0.plus(Duration.ofMinutes(6))));
        assertThat(replay(ControlPlaneSize.S, series))
                .extracting(Change::after)
                .containsExactly(Duration.ofMinutes(11));
    }

    @Test
    void staleObservationsChangeNothing() {
        // Ten minutes over the limit, then the tenant stops answering: a decision five minutes later holds still.
        List<LoadSample> series = series(20, i -> nodes(80));
        Instant later = T0.plus(Duration.ofMinutes(15));
        assertThat(SizingDecision.decide(new Observed(ControlPlaneSize.S, Optional.of(T0), series), later, POLICY))
                .isInstanceOf(Stay.class);
    }

    @Test
    void samplesFromBeforeTheLastChangeDoNotCount() {
        // Over M's limit for ten minutes, but M was reached two minutes ago: the load at M is watched first.
        List<LoadSample> series = series(21, i -> nodes(200));
        Instant now = T0.plus(Duration.ofMinutes(10));
        Decision decision = SizingDecision.decide(
                new Observed(ControlPlaneSize.M, Optional.of(now.minus(Duration.ofMinutes(2))), series), now, POLICY);
        assertThat(decision).isEqualTo(new Stay(ControlPlaneSize.M));
        Decision later = SizingDecision.decide(
                new Observed(ControlPlaneSize.M, Optional.of(now.minus(Duration.ofMinutes(5))), series), now, POLICY);
        assertThat(later).isInstanceOf(Resize.class);
    }

    @Test
    void theEndsOfTheTableHold() {
        assertThat(replay(ControlPlaneSize.XL, series(60, i -> nodes(100_000)))).isEmpty();
        assertThat(replay(ControlPlaneSize.S, series(200, i -> nodes(0)))).isEmpty();
    }

    @Test
    void anUnknownRequestRateIsNeverOverALimit() {
        // 500 requests/s, but every other scrape could not tell the rate (a restarted replica): never five minutes
        // over.
        List<LoadSample> series =
                series(30, i -> i % 2 == 0 ? rate(500) : at -> new LoadSample(at, 3, 300, OptionalDouble.empty(), 2));
        assertThat(replay(ControlPlaneSize.S, series)).isEmpty();
    }

    @Test
    void aPinnedSizeIsTakenAtOnceWhateverTheLoadAndUnpinnedTheLoadDecidesAfterACoolDown() {
        List<LoadSample> idle = series(120, i -> nodes(1));
        Instant now = T0.plus(Duration.ofMinutes(59));
        Decision pinned = SizingDecision.decide(
                new Observed(ControlPlaneSize.S, Optional.empty(), idle, Optional.of(ControlPlaneSize.XL)),
                now,
                POLICY);
        assertThat(pinned).isEqualTo(new SizingDecision.Pinned(ControlPlaneSize.S, ControlPlaneSize.XL));
        assertThat(((SizingDecision.Change) pinned).reason())
                .isEqualTo("from S to XL: pinned by spec.controlPlane.size");
        assertThat(SizingDecision.decide(
                        new Observed(ControlPlaneSize.XL, Optional.of(now), idle, Optional.of(ControlPlaneSize.XL)),
                        now.plus(Duration.ofHours(5)),
                        POLICY))
                .isEqualTo(new Stay(ControlPlaneSize.XL));
        // Unpinned ten minutes after the pin took: the idle load counts only from the pin on, so XL holds.
        List<LoadSample> later = series(200, i -> nodes(1));
        Instant pinnedAt = T0.plus(Duration.ofMinutes(60));
        assertThat(SizingDecision.decide(
                        new Observed(ControlPlaneSize.XL, Optional.of(pinnedAt), later),
                        pinnedAt.plus(Duration.ofMinutes(10)),
                        POLICY))
                .isEqualTo(new Stay(ControlPlaneSize.XL));
        assertThat(SizingDecision.decide(
                        new Observed(ControlPlaneSize.XL, Optional.of(pinnedAt), later),
                        pinnedAt.plus(Duration.ofMinutes(30)),
                        POLICY))
                .isEqualTo(new Resize(
                        ControlPlaneSize.XL,
                        ControlPlaneSize.L,
                        // The figure nearest its limit: 5 requests/s of 700 before 1 Node of 350.
                        new Limits.Figure(Limits.Figure.Kind.REQUEST_RATE, 5, 700),
                        Duration.ofMinutes(30)));
    }

    // --- the replay ---

    /** Decides at each sample's time, with the samples so far, carrying size and last change along. */
    static List<Change> replay(ControlPlaneSize start, List<LoadSample> series) {
        List<Change> changes = new ArrayList<>();
        ControlPlaneSize size = start;
        Optional<Instant> lastResize = Optional.empty();
        for (int i = 0; i < series.size(); i++) {
            Instant now = series.get(i).at();
            Decision decision =
                    SizingDecision.decide(new Observed(size, lastResize, series.subList(0, i + 1)), now, POLICY);
            if (decision instanceof Resize resize) {
                changes.add(new Change(Duration.between(T0, now), resize.from(), resize.to(), resize.reason()));
                size = resize.to();
                lastResize = Optional.of(now);
            }
        }
        return changes;
    }

    interface SampleAt {
        LoadSample at(Instant at);
    }

    static List<LoadSample> series(int samples, IntFunction<SampleAt> load) {
        List<LoadSample> series = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            series.add(load.apply(i).at(T0.plus(STEP.multipliedBy(i))));
        }
        return series;
    }

    static SampleAt nodes(long nodes) {
        return at -> LoadSample.of(at, nodes, nodes * 100, 5, 2);
    }

    static SampleAt objects(long objects) {
        return at -> LoadSample.of(at, 3, objects, 5, 2);
    }

    static SampleAt rate(double perSecond) {
        return at -> LoadSample.of(at, 3, 300, perSecond, 2);
    }

    static SampleAt inflight(double inflight) {
        return at -> LoadSample.of(at, 3, 300, 5, inflight);
    }
}
