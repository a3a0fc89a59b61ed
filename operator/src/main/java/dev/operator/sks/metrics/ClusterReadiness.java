package dev.operator.sks.metrics;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.status.Conditions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time from an SKSCluster's creation to its first Ready ({@code sks_cluster_time_to_ready_seconds}), measured with
 * the operator's clock when the reconcile that makes it Ready reports so, once per cluster UID.
 */
public final class ClusterReadiness {
    /** Histogram buckets: a control plane takes tens of seconds to minutes; longer is a problem worth seeing. */
    static final Duration[] BUCKETS = {
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(20),
        Duration.ofMinutes(30),
        Duration.ofHours(1)
    };

    /** For tests and callers without metrics. */
    public static final ClusterReadiness NONE = new ClusterReadiness(null, Clock.systemUTC());

    private final Timer timer;
    private final Clock clock;
    /** Clusters already observed: a status write that fails repeats the reconcile with the same before. */
    private final Set<String> observed = ConcurrentHashMap.newKeySet();

    public ClusterReadiness(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.timer = registry == null
                ? null
                : Timer.builder(FleetMetrics.TIME_TO_READY)
                        .description("Time from an SKSCluster's creation to its first Ready")
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
    }

    /** Called with the status before and after a reconcile; observes the first Ready of the cluster. */
    public void reported(SKSCluster cluster, SKSClusterStatus before, SKSClusterStatus after) {
        Optional<Duration> elapsed = timeToReady(cluster, before, after, clock.instant());
        String uid = cluster.getMetadata().getUid();
        if (elapsed.isPresent() && timer != null && (uid == null || observed.add(uid))) {
            timer.record(elapsed.get());
        }
    }

    public void forget(SKSCluster cluster) {
        if (cluster.getMetadata().getUid() != null) {
            observed.remove(cluster.getMetadata().getUid());
        }
    }

    /**
     * The time to a first Ready, when {@code after} is one: Ready now, and before it the cluster never ran a version
     * (status.version is recorded when the control plane first reaches its version, which is when it first turns
     * Ready). A cluster Ready again after an outage, or seen by a restarted operator, is not counted again.
     */
    static Optional<Duration> timeToReady(
            SKSCluster cluster, SKSClusterStatus before, SKSClusterStatus after, Instant now) {
        if (after == null || !Conditions.isTrue(after.conditions, Conditions.READY)) {
            return Optional.empty();
        }
        if (before != null && (before.version != null || Conditions.isTrue(before.conditions, Conditions.READY))) {
            return Optional.empty();
        }
        String created = cluster.getMetadata().getCreationTimestamp();
        if (created == null) {
            return Optional.empty();
        }
        try {
            Duration elapsed = Duration.between(Instant.parse(created), now);
            return elapsed.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(elapsed);
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }
}
