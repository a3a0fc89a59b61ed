package dev.operator.sks.tenant;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The tenant bootstrap of each cluster, run through {@link KeyedWork}: each cluster's last outcome is kept for its
 * condition, failed attempts back off exponentially and a successful one is repeated after
 * {@link TenantBootstrap#REAPPLY_INTERVAL}.
 */
public final class TenantWork implements AutoCloseable {
    static final Duration FIRST_RETRY = KeyedWork.FIRST_RETRY;

    private final KeyedWork<ClusterKey, TenantRequest, TenantBootstrap.Outcome> work;
    private final Consumer<ClusterKey> forgetCluster;

    /** The work of {@code bootstrap}, which also forgets what it kept of a cluster when the cluster goes. */
    public TenantWork(TenantBootstrap bootstrap, Clock clock) {
        this(bootstrap::ensure, key -> bootstrap.forget(key.namespace(), key.cluster()), clock);
    }

    public TenantWork(Function<TenantRequest, TenantBootstrap.Outcome> bootstrap, Clock clock) {
        this(bootstrap, key -> {}, clock);
    }

    private TenantWork(
            Function<TenantRequest, TenantBootstrap.Outcome> bootstrap,
            Consumer<ClusterKey> forgetCluster,
            Clock clock) {
        this.forgetCluster = forgetCluster;
        // Rerun at once on a request the tenant would see differently (TenantRequest's equality); TenantBootstrap
        // still compares what it would apply with what it applied last.
        this.work = new KeyedWork<>(
                "sks-tenant-work",
                bootstrap,
                e -> new TenantBootstrap.Outcome(
                        TenantBootstrap.State.FAILED,
                        "TenantWorkFailed",
                        e.getClass().getSimpleName()),
                TenantBootstrap.Outcome::applied,
                TenantBootstrap.REAPPLY_INTERVAL,
                true,
                FIRST_RETRY,
                clock);
    }

    /**
     * The last bootstrap outcome of {@code cluster} (empty before the first attempt ends), starting an attempt in the
     * background when one is due and none is running.
     *
     * @param cluster a snapshot with the status the caller is about to write (endpoint, version)
     */
    public Optional<TenantBootstrap.Outcome> bootstrap(SKSCluster cluster) {
        return bootstrap(TenantRequest.of(cluster));
    }

    /** As above, with what else the tenant gets (the cloud controller's key). */
    public Optional<TenantBootstrap.Outcome> bootstrap(TenantRequest request) {
        return work.request(ClusterKey.of(request.cluster()), request).map(KeyedWork.Outcome::result);
    }

    /**
     * The oldest kubelet the last bootstrap of {@code cluster} saw among its Nodes (looked at each
     * {@link TenantBootstrap#REAPPLY_INTERVAL}); empty before the tenant was first reached or when it has no Nodes.
     */
    public Optional<KubernetesVersion> oldestKubelet(SKSCluster cluster) {
        return work.last(ClusterKey.of(cluster)).flatMap(o -> o.result().oldestKubelet());
    }

    /** How long until the next attempt is due: when to look again. */
    public Duration retryAfter(SKSCluster cluster) {
        return work.retryAfter(ClusterKey.of(cluster));
    }

    /** Drops everything kept of a deleted cluster. */
    public void forget(SKSCluster cluster) {
        work.forget(ClusterKey.of(cluster));
        forgetCluster.accept(ClusterKey.of(cluster));
    }

    static Duration backoff(int failures) {
        return KeyedWork.backoff(failures);
    }

    @Override
    public void close() {
        work.close();
    }
}
