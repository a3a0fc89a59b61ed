package dev.operator.sks.tenant;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Tenant-side work off the reconcile threads: a tenant that does not answer (not up yet, or the operator running
 * outside the management cluster) costs a probe timeout on a worker of its own, never a slower reconcile of the
 * management side. Each cluster's last outcome is kept for its condition, and attempts back off exponentially.
 */
public final class TenantWork implements AutoCloseable {
  static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private record Entry(Optional<TenantBootstrap.Outcome> last, Instant nextAttempt, int failures,
      boolean inFlight) {}

  private final Function<SKSCluster, TenantBootstrap.Outcome> bootstrap;
  private final Clock clock;
  private final ExecutorService workers;
  private final Map<ClusterKey, Entry> entries = new ConcurrentHashMap<>();

  public TenantWork(Function<SKSCluster, TenantBootstrap.Outcome> bootstrap, Clock clock) {
    this.bootstrap = bootstrap;
    this.clock = clock;
    this.workers = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "sks-tenant-work");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * The last bootstrap outcome of {@code cluster} (empty before the first attempt ends), starting an attempt in the
   * background when one is due and none is running.
   *
   * @param cluster a snapshot with the status the caller is about to write (endpoint, version)
   */
  public Optional<TenantBootstrap.Outcome> bootstrap(SKSCluster cluster) {
    ClusterKey key = ClusterKey.of(cluster);
    Instant now = clock.instant();
    Entry entry = entries.compute(key, (k, current) -> {
      Entry e = current == null ? new Entry(Optional.empty(), now, 0, false) : current;
      if (e.inFlight() || now.isBefore(e.nextAttempt())) {
        return e;
      }
      workers.submit(() -> attempt(key, cluster));
      return new Entry(e.last(), e.nextAttempt(), e.failures(), true);
    });
    return entry.last();
  }

  /** How long until the next attempt is due: when to look again. */
  public Duration retryAfter(SKSCluster cluster) {
    Entry entry = entries.get(ClusterKey.of(cluster));
    if (entry == null || entry.inFlight()) {
      return FIRST_RETRY;
    }
    Duration until = Duration.between(clock.instant(), entry.nextAttempt());
    return until.isNegative() || until.isZero() ? Duration.ofSeconds(1) : until;
  }

  public void forget(SKSCluster cluster) {
    entries.remove(ClusterKey.of(cluster));
  }

  private void attempt(ClusterKey key, SKSCluster cluster) {
    TenantBootstrap.Outcome outcome;
    try {
      outcome = bootstrap.apply(cluster);
    } catch (RuntimeException e) {
      outcome = new TenantBootstrap.Outcome(TenantBootstrap.State.FAILED, "TenantWorkFailed",
          e.getClass().getSimpleName());
    }
    TenantBootstrap.Outcome result = outcome;
    entries.computeIfPresent(key, (k, e) -> {
      int failures = result.applied() ? 0 : e.failures() + 1;
      Duration wait = result.applied() ? TenantBootstrap.REAPPLY_INTERVAL : backoff(failures);
      return new Entry(Optional.of(result), clock.instant().plus(wait), failures, false);
    });
  }

  static Duration backoff(int failures) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 10));
    return wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
