package dev.operator.sks.sizing;

import dev.operator.sks.api.ControlPlaneSize;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a pro control plane moves to another size, from recorded figures only (no clock, no I/O), so every series
 * of load can be replayed in a test.
 *
 * <ul>
 *   <li>Up, one size, when every sample of the last {@link Policy#upAfter} is above the current size's limit in some
 *       figure: a spike shorter than that changes nothing.</li>
 *   <li>Down, one size, when every sample of the last {@link Policy#downAfter} is within {@link Policy#downFraction}
 *       of the smaller size's limits in every figure: load hovering near a limit moves the size at most once
 *       (hysteresis), and a drop must last much longer than a rise (cool-down), since too small costs more than too
 *       big.</li>
 *   <li>Samples from before the last change do not count: the new size is watched a whole period first.</li>
 *   <li>The samples must cover the period without a gap longer than {@link Policy#maxGap} (and the newest must be
 *       that recent): while the tenant cannot be observed, nothing changes.</li>
 *   <li>A size pinned in the spec is taken at once, in one step, and holds while pinned; unpinned, the load decides
 *       again from there, after a whole period at it.</li>
 * </ul>
 */
public final class SizingDecision {
    private SizingDecision() {}

    /**
     * @param upAfter      how long the load must stay above the size's limit before it grows
     * @param downAfter    how long the load must stay well below the smaller size's limit before it shrinks
     * @param downFraction "well below": this fraction of the smaller size's limits
     * @param maxGap       the longest stretch without a sample that still counts as observed throughout
     */
    public record Policy(Duration upAfter, Duration downAfter, double downFraction, Duration maxGap) {
        public static final Policy DEFAULT =
                new Policy(Duration.ofMinutes(5), Duration.ofMinutes(30), 0.7, Duration.ofMinutes(2));

        /** The longest window the decision reads: what an observer keeps. */
        public Duration window() {
            return upAfter.compareTo(downAfter) > 0 ? upAfter : downAfter;
        }
    }

    /**
     * What the decision reads: where the cluster is, since when, the recent samples (any order), and the size the spec
     * pins, if any.
     */
    public record Observed(
            ControlPlaneSize current,
            Optional<Instant> lastResize,
            List<LoadSample> samples,
            Optional<ControlPlaneSize> pinned) {
        public Observed {
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(lastResize, "lastResize");
            Objects.requireNonNull(pinned, "pinned");
            samples = samples.stream()
                    .sorted(Comparator.comparing(LoadSample::at))
                    .toList();
        }

        /** Nothing pinned: the load decides. */
        public Observed(ControlPlaneSize current, Optional<Instant> lastResize, List<LoadSample> samples) {
            this(current, lastResize, samples, Optional.empty());
        }
    }

    public sealed interface Decision permits Stay, Change {
        ControlPlaneSize size();
    }

    /** A move from one size to another, and why in words ("from M to L: ..."). */
    public sealed interface Change extends Decision permits Resize, Pinned {
        ControlPlaneSize from();

        ControlPlaneSize to();

        String reason();

        @Override
        default ControlPlaneSize size() {
            return to();
        }
    }

    /** To the size {@code spec.controlPlane.size} pins, at once and whatever the load: the operator's override. */
    public record Pinned(ControlPlaneSize from, ControlPlaneSize to) implements Change {
        @Override
        public String reason() {
            return "from " + from + " to " + to + ": pinned by spec.controlPlane.size";
        }
    }

    /** No change. */
    public record Stay(ControlPlaneSize size) implements Decision {}

    /**
     * One step to {@code to}.
     *
     * @param figure the figure that moved it: over {@code from}'s limit (up), or the highest against the smaller
     *               size's "well below" limit (down)
     * @param lasted how long the load was observed so
     */
    public record Resize(ControlPlaneSize from, ControlPlaneSize to, Limits.Figure figure, Duration lasted)
            implements Change {
        public boolean up() {
            return to.compareTo(from) > 0;
        }

        /** "from M to L: 212 Nodes over the M limit of 150 for 5 minutes". */
        @Override
        public String reason() {
            String relation = up()
                    ? " over the " + from + " limit of " + figure.limitText()
                    : " at most, well below the " + to + " limit (under " + figure.limitText() + ")";
            return "from " + from + " to " + to + ": " + figure.valueText() + relation + " for " + minutes(lasted);
        }

        private static String minutes(Duration lasted) {
            long minutes = lasted.toMinutes();
            return minutes == 1 ? "1 minute" : minutes + " minutes";
        }
    }

    public static Decision decide(Observed observed, Instant now, Policy policy) {
        ControlPlaneSize current = observed.current();
        if (observed.pinned().isPresent()) {
            ControlPlaneSize pinned = observed.pinned().get();
            return pinned == current ? new Stay(current) : new Pinned(current, pinned);
        }
        Optional<ControlPlaneSize> larger = ControlPlaneSizes.larger(current);
        if (larger.isPresent()) {
            Limits limit = ControlPlaneSizes.of(current).upTo();
            Optional<List<LoadSample>> period = period(observed, now, policy.upAfter(), policy.maxGap());
            if (period.isPresent() && period.get().stream().noneMatch(limit::holds)) {
                LoadSample latest = period.get().get(period.get().size() - 1);
                return new Resize(current, larger.get(), limit.exceeded(latest).get(0), policy.upAfter());
            }
        }
        Optional<ControlPlaneSize> smaller = ControlPlaneSizes.smaller(current);
        if (smaller.isPresent()) {
            Limits wellBelow = ControlPlaneSizes.of(smaller.get()).upTo().times(policy.downFraction());
            Optional<List<LoadSample>> period = period(observed, now, policy.downAfter(), policy.maxGap());
            if (period.isPresent() && period.get().stream().allMatch(wellBelow::holds)) {
                return new Resize(current, smaller.get(), highest(period.get(), wellBelow), policy.downAfter());
            }
        }
        return new Stay(current);
    }

    /**
     * The samples of the last {@code length} (from the newest at or before its start, which stands for the load at
     * its start), when they cover it: none before the last change, no gap longer than {@code maxGap}.
     */
    static Optional<List<LoadSample>> period(Observed observed, Instant now, Duration length, Duration maxGap) {
        Instant start = now.minus(length);
        if (observed.lastResize().filter(resized -> resized.isAfter(start)).isPresent()) {
            return Optional.empty();
        }
        List<LoadSample> samples = observed.samples().stream()
                .filter(s -> !s.at().isAfter(now))
                .filter(s -> observed.lastResize().map(r -> !s.at().isBefore(r)).orElse(true))
                .toList();
        int first = -1;
        for (int i = 0; i < samples.size(); i++) {
            if (!samples.get(i).at().isAfter(start)) {
                first = i;
            }
        }
        if (first < 0) {
            return Optional.empty();
        }
        List<LoadSample> period = samples.subList(first, samples.size());
        Instant previous = period.get(0).at();
        for (LoadSample sample : period) {
            if (Duration.between(previous, sample.at()).compareTo(maxGap) > 0) {
                return Optional.empty();
            }
            previous = sample.at();
        }
        if (Duration.between(previous, now).compareTo(maxGap) > 0) {
            return Optional.empty();
        }
        return Optional.of(period);
    }

    /** The figure that came closest to {@code limits} over the period, for the reason a size went down. */
    private static Limits.Figure highest(List<LoadSample> period, Limits limits) {
        long nodes = period.stream().mapToLong(LoadSample::nodes).max().orElse(0);
        long objects = period.stream().mapToLong(LoadSample::objects).max().orElse(0);
        double rate = period.stream()
                .flatMapToDouble(s -> s.requestsPerSecond().stream())
                .max()
                .orElse(0);
        double inflight =
                period.stream().mapToDouble(LoadSample::inflight).max().orElse(0);
        List<Limits.Figure> figures = List.of(
                new Limits.Figure(Limits.Figure.Kind.NODES, nodes, limits.nodes()),
                new Limits.Figure(Limits.Figure.Kind.OBJECTS, objects, limits.objects()),
                new Limits.Figure(Limits.Figure.Kind.REQUEST_RATE, rate, limits.requestsPerSecond()),
                new Limits.Figure(Limits.Figure.Kind.INFLIGHT, inflight, limits.inflight()));
        return figures.stream()
                .max(Comparator.comparingDouble(f -> f.limit() == 0 ? 0 : f.value() / f.limit()))
                .orElseThrow();
    }
}
