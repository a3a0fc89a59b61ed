package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.events.EventRecorder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Carries out {@link IdleStarters} for one reconcile: records the count in status, tells the warning and the
 * deletion as Events, deletes the cluster when due, and says when to look again, since nothing else wakes an idle
 * cluster when its warning or its deletion is due.
 */
final class IdleCountdown {
    /** What this reconcile decided, and when the countdown next needs a look. */
    record Step(IdleStarters.Decision decision, Optional<Duration> lookAgain) {
        boolean deleted() {
            return decision instanceof IdleStarters.Due;
        }
    }

    private final Duration after;
    private final EventRecorder events;
    private final Clock clock;

    /** @param after how long a starter may stay without a nodepool; zero turns the clean-up off */
    IdleCountdown(Duration after, EventRecorder events, Clock clock) {
        this.after = after;
        this.events = events;
        this.clock = clock;
    }

    Step run(SKSCluster cluster, SKSClusterStatus status, Context<SKSCluster> context) {
        Instant now = clock.instant();
        int nodepools = context.getSecondaryResources(Nodepool.class).size();
        IdleStarters.Decision decision =
                IdleStarters.decide(IdleStarters.observe(cluster, status, nodepools), now, after);
        ClusterStatusReport.idle(status, decision, clock);
        ClusterEvents.idle(decision).forEach(e -> events.record(cluster, e.type(), e.reason(), e.message()));
        if (decision instanceof IdleStarters.Due) {
            context.getClient().resource(cluster).delete();
        }
        return new Step(
                decision,
                decision.lookAgainAt().map(at -> at.isAfter(now) ? Duration.between(now, at) : Duration.ofSeconds(1)));
    }
}
