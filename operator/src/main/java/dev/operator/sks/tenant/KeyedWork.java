package dev.operator.sks.tenant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Tenant-side work off the reconcile threads, one task per key at a time: a tenant that does not answer costs a probe
 * timeout on a worker of its own, never a slower reconcile of the management side. Each key's last outcome is kept
 * for the caller's status, failed attempts back off exponentially, and a successful one is repeated after
 * {@code afterSuccess} or, when {@code rerunOnNewInput}, as soon as the caller asks with a different input.
 *
 * @param <K> what identifies the work (a cluster, an instance pool)
 * @param <I> what the task needs; compared with {@link Object#equals} when {@code rerunOnNewInput}
 * @param <R> the task's outcome
 */
public final class KeyedWork<K, I, R> implements AutoCloseable {
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    /** A finished attempt: what it ran with and what came of it. */
    public record Outcome<I, R>(I input, R result) {}

    private record Entry<I, R>(
            Optional<Outcome<I, R>> last, Instant nextAttempt, int failures, boolean inFlight, boolean lastSucceeded) {}

    private final Function<I, R> task;
    private final Function<RuntimeException, R> crashed;
    private final Predicate<R> succeeded;
    private final Function<Outcome<I, R>, Duration> afterSuccess;
    private final boolean rerunOnNewInput;
    private final Duration inFlightPoll;
    private final Clock clock;
    private final ExecutorService workers;
    private final Map<K, Entry<I, R>> entries = new ConcurrentHashMap<>();

    /**
     * @param crashed the outcome of an attempt that threw
     * @param inFlightPoll what {@link #retryAfter} answers while an attempt runs
     */
    public KeyedWork(
            String threadName,
            Function<I, R> task,
            Function<RuntimeException, R> crashed,
            Predicate<R> succeeded,
            Duration afterSuccess,
            boolean rerunOnNewInput,
            Duration inFlightPoll,
            Clock clock) {
        this(threadName, task, crashed, succeeded, o -> afterSuccess, rerunOnNewInput, inFlightPoll, clock);
    }

    /**
     * As above, the wait after a success chosen by what it ran with and found: some outcomes go stale sooner than
     * others (a simulated pool with stopped kubelets, whose Nodes the tenant is about to mark not Ready).
     */
    public KeyedWork(
            String threadName,
            Function<I, R> task,
            Function<RuntimeException, R> crashed,
            Predicate<R> succeeded,
            Function<Outcome<I, R>, Duration> afterSuccess,
            boolean rerunOnNewInput,
            Duration inFlightPoll,
            Clock clock) {
        this.task = task;
        this.crashed = crashed;
        this.succeeded = succeeded;
        this.afterSuccess = afterSuccess;
        this.rerunOnNewInput = rerunOnNewInput;
        this.inFlightPoll = inFlightPoll;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The last outcome for {@code key} (empty before the first attempt ends), starting an attempt with {@code input}
     * in the background when one is due and none is running. Never blocks on the task.
     */
    public Optional<Outcome<I, R>> request(K key, I input) {
        Instant now = clock.instant();
        Entry<I, R> entry = entries.compute(key, (k, current) -> {
            Entry<I, R> e = current == null ? new Entry<>(Optional.empty(), now, 0, false, false) : current;
            if (e.inFlight() || !due(e, input, now)) {
                return e;
            }
            workers.submit(() -> attempt(key, input));
            return new Entry<>(e.last(), e.nextAttempt(), e.failures(), true, e.lastSucceeded());
        });
        return entry.last();
    }

    private boolean due(Entry<I, R> entry, I input, Instant now) {
        if (!now.isBefore(entry.nextAttempt())) {
            return true;
        }
        // A failing tenant keeps its backoff whatever changed; a healthy one follows changes at once.
        return rerunOnNewInput
                && entry.lastSucceeded()
                && entry.last().map(o -> !Objects.equals(o.input(), input)).orElse(true);
    }

    /** The last outcome for {@code key}, without starting an attempt. */
    public Optional<Outcome<I, R>> last(K key) {
        Entry<I, R> entry = entries.get(key);
        return entry == null ? Optional.empty() : entry.last();
    }

    /** How long until the next attempt is due: when to look again. */
    public Duration retryAfter(K key) {
        Entry<I, R> entry = entries.get(key);
        if (entry == null || entry.inFlight()) {
            return inFlightPoll;
        }
        Duration until = Duration.between(clock.instant(), entry.nextAttempt());
        return until.isNegative() || until.isZero() ? Duration.ofSeconds(1) : until;
    }

    /** Drops the key's state; an attempt already running still runs, and its outcome is dropped. */
    public void forget(K key) {
        entries.remove(key);
    }

    private void attempt(K key, I input) {
        R outcome;
        try {
            outcome = task.apply(input);
        } catch (RuntimeException e) {
            outcome = crashed.apply(e);
        }
        R result = outcome;
        boolean success = succeeded.test(result);
        entries.computeIfPresent(key, (k, e) -> {
            int failures = success ? 0 : e.failures() + 1;
            Outcome<I, R> last = new Outcome<>(input, result);
            Duration wait = success ? afterSuccess.apply(last) : backoff(failures);
            return new Entry<>(Optional.of(last), clock.instant().plus(wait), failures, false, success);
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
