package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.sizing.ControlPlaneSizes;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.sizing.LoadSample;
import dev.operator.sks.sizing.SizeProfile;
import dev.operator.sks.sizing.SizingDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Runs the sizing decision of a cluster each reconcile: reads where it is (status), asks the background observations
 * for their samples, and says which profile to render. Starter clusters have one fixed profile and are never observed.
 */
final class ControlPlaneSizing {
    private final LoadObservations observations;
    private final SizingDecision.Policy policy;
    private final Clock clock;

    /**
     * @param profile  what to render
     * @param decision the pro decision (empty for starter)
     */
    record Step(SizeProfile profile, Optional<SizingDecision.Decision> decision, Optional<Duration> lookAgain) {
        Optional<SizingDecision.Change> changed() {
            return decision.filter(SizingDecision.Change.class::isInstance).map(SizingDecision.Change.class::cast);
        }
    }

    ControlPlaneSizing(LoadObservations observations, SizingDecision.Policy policy, Clock clock) {
        this.observations = observations;
        this.policy = policy;
        this.clock = clock;
    }

    /** @param pinned {@code spec.controlPlane.size}: while set, the load is not observed */
    Step run(SKSCluster cluster, Level level, Optional<ControlPlaneSize> pinned, SKSClusterStatus recorded) {
        if (level != Level.PRO) {
            return new Step(ControlPlaneSizes.STARTER, Optional.empty(), Optional.empty());
        }
        ControlPlaneSize current = current(recorded);
        if (pinned.isPresent()) {
            SizingDecision.Decision decision = SizingDecision.decide(
                    new SizingDecision.Observed(current, lastResize(recorded), List.of(), pinned),
                    clock.instant(),
                    policy);
            return new Step(ControlPlaneSizes.of(decision.size()), Optional.of(decision), Optional.empty());
        }
        List<LoadSample> samples =
                observations.samples(cluster, ControlPlaneSizes.of(current).apiserverReplicas());
        SizingDecision.Decision decision = SizingDecision.decide(
                new SizingDecision.Observed(current, lastResize(recorded), samples), clock.instant(), policy);
        return new Step(
                ControlPlaneSizes.of(decision.size()), Optional.of(decision), Optional.of(observations.interval()));
    }

    void forget(SKSCluster cluster) {
        observations.forget(cluster);
    }

    /** The size in status; a pro cluster without one (new, from starter, or from before sizes) runs the first. */
    static ControlPlaneSize current(SKSClusterStatus status) {
        return Optional.ofNullable(status)
                .map(s -> s.controlPlane)
                .map(c -> c.size)
                .orElse(ControlPlaneSizes.FIRST);
    }

    /** An unreadable time counts as none: the cool-down then rests on the samples, which start after it anyway. */
    static Optional<Instant> lastResize(SKSClusterStatus status) {
        Optional<String> text =
                Optional.ofNullable(status).map(s -> s.controlPlane).map(c -> c.lastResize);
        try {
            return text.map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
