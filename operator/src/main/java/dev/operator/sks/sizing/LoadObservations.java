package dev.operator.sks.sizing;

import dev.operator.sks.api.SKSCluster;
import java.time.Duration;
import java.util.List;

/**
 * Where the sizing decision's samples come from: the tenant's API server, scraped in the background
 * ({@code tenant/ControlPlaneLoad}); tests inject their own series.
 */
public interface LoadObservations extends AutoCloseable {
    /** Observes nothing: no pro cluster ever changes size. */
    LoadObservations NONE = new LoadObservations() {
        @Override
        public List<LoadSample> samples(SKSCluster cluster, int apiserverReplicas) {
            return List.of();
        }

        @Override
        public Duration interval() {
            return Duration.ofMinutes(1);
        }

        @Override
        public void forget(SKSCluster cluster) {}
    };

    /**
     * The samples kept of {@code cluster} (its last {@link SizingDecision.Policy#window()}), starting an observation in
     * the background when one is due. Never blocks on the tenant.
     *
     * @param apiserverReplicas how many API servers share the load now: one scrape reaches one of them
     */
    List<LoadSample> samples(SKSCluster cluster, int apiserverReplicas);

    /** How often a cluster is observed: when its reconcile looks again. */
    Duration interval();

    /** Drops what is kept of a deleted cluster. */
    void forget(SKSCluster cluster);

    @Override
    default void close() {}
}
