package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.etcd.EtcdAlarm;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdMaintenance;
import dev.operator.sks.etcd.EtcdMaintenancePlan;
import dev.operator.sks.etcd.EtcdMaintenancePlan.MemberState;
import dev.operator.sks.etcd.EtcdMember;
import dev.operator.sks.etcd.EtcdMemberStatus;
import dev.operator.sks.events.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs etcd's maintenance ({@link EtcdMaintenancePlan}, which holds the knowledge) off the reconcile threads: a
 * round asks every member its status and the cluster its alarms, takes the plan's one step (a defragmentation of one
 * member, or a NOSPACE recovery: compaction, each member defragmented in turn, the alarm disarmed) and keeps what it
 * found for the next reconcile's status. One round per cluster at a time, so never two defragmentations of a cluster
 * at once; two workers for the fleet, so a few large defragmentations never hold the others long.
 *
 * <p>A round that cannot reach etcd changes no condition (the operator may run where etcd cannot be reached; the
 * control plane's own readiness says whether etcd runs): it is tried again with backoff. The client is opened once
 * per cluster and certificate, so a steady state reads no Secret.
 */
final class EtcdMaintainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdMaintainer.class);
    /** How often a healthy cluster's members and alarms are looked at: how late a NOSPACE alarm is noticed at most. */
    static final Duration CHECK_INTERVAL = Duration.ofMinutes(5);
    /** Between two steps (a member defragmented, the next one), and while NOSPACE holds. */
    static final Duration STEP_PAUSE = Duration.ofSeconds(10);
    /** What to look again after while a round runs. */
    static final Duration IN_FLIGHT_POLL = Duration.ofSeconds(5);

    private static final Duration FIRST_RETRY = Duration.ofSeconds(10);

    /**
     * What a round needs, from the reconcile.
     *
     * @param credentials          digest of the etcd client certificate Secret: a new one opens a new client
     * @param expectedMembers      members the StatefulSet runs
     * @param serving              whether the StatefulSet has a ready member now
     * @param lastDefragmentations as status keeps them (survive a restart of the operator)
     * @param quotaBytes           the members' {@code --quota-backend-bytes}
     */
    record Request(
            SKSCluster cluster,
            String firstMemberUrl,
            String credentials,
            int expectedMembers,
            boolean serving,
            boolean growing,
            boolean upgrading,
            Map<String, Instant> lastDefragmentations,
            long quotaBytes,
            Instant firstDue) {}

    /** One member's db as last found. */
    record MemberDb(String name, long dbSize, long dbSizeInUse) {}

    /**
     * What the last round found and did.
     *
     * @param members              each member's db size, by name
     * @param lastDefragmentations every defragmentation known, status's and this operator's
     * @param noSpace              while NOSPACE holds: the condition message
     * @param message              what the round did or why it did nothing (for logs and tests)
     */
    record Report(
            List<MemberDb> members,
            Map<String, Instant> lastDefragmentations,
            Optional<String> noSpace,
            String message) {}

    private record Connection(String key, EtcdMaintenance client) {}

    private record Entry(
            Optional<Report> last,
            Instant nextRound,
            int failures,
            boolean inFlight,
            Map<String, Instant> defragmented,
            Optional<Connection> connection) {}

    private final EtcdConnector connector;
    private final EventRecorder events;
    private final Clock clock;
    private final EtcdMaintenancePlan.Policy policy;
    private final ExecutorService workers;
    private final Map<ResourceID, Entry> entries = new ConcurrentHashMap<>();
    /** Each cluster's last request, so the next round can start when due without a reconcile to start it. */
    private final Map<ResourceID, Pending> latest = new ConcurrentHashMap<>();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sks-etcd-maintenance-timer");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Wakes a cluster whose round found something its status shows; unset (tests driving the maintainer by hand),
     * the reconcile polls instead ({@link #lookAgain}).
     */
    private volatile Optional<Consumer<ResourceID>> wake = Optional.empty();

    private record Pending(KubernetesClient management, Request request) {}

    EtcdMaintainer(EtcdConnector connector, EventRecorder events, Clock clock, EtcdMaintenancePlan.Policy policy) {
        this.connector = connector;
        this.events = events;
        this.clock = clock;
        this.policy = policy;
        // Idle workers end: an operator whose clusters need nothing keeps no thread for it.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(r, "sks-etcd-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
    }

    /**
     * The last round's report (empty before the first ends), starting a round in the background when one is due and
     * none runs. Never blocks on etcd.
     */
    Optional<Report> request(KubernetesClient management, Request request) {
        ResourceID id = ResourceID.fromResource(request.cluster());
        if (!entries.containsKey(id) && !hasServed(request)) {
            return Optional.empty();
        }
        latest.put(id, new Pending(management, request));
        startIfDue(id);
        return Optional.ofNullable(entries.get(id)).flatMap(Entry::last);
    }

    /**
     * From now on, rounds follow each other by themselves (each one's next is scheduled when it ends, with the last
     * request the cluster's reconcile made), and {@code wake} is told a cluster whose round found news for its status.
     * Before, an idle fleet was reconciled for every round twice (to start it and to read its report): at 100
     * clusters whose etcd could not be reached, 490 reconciles and 40 CPU-seconds a minute with nothing to do.
     */
    void wakeWith(Consumer<ResourceID> wake) {
        this.wake = Optional.of(wake);
    }

    /** When the reconcile should look again for etcd's sake: never, once the maintainer wakes clusters itself. */
    Optional<Duration> reconcileAgain(SKSCluster cluster) {
        return wake.isPresent() ? Optional.empty() : Optional.of(lookAgain(cluster));
    }

    private void startIfDue(ResourceID id) {
        Pending pending = latest.get(id);
        if (pending == null) {
            return; // forgotten
        }
        Instant now = clock.instant();
        boolean[] start = {false};
        entries.compute(id, (k, current) -> {
            Entry e =
                    current == null ? new Entry(Optional.empty(), now, 0, false, Map.of(), Optional.empty()) : current;
            if (e.inFlight() || now.isBefore(e.nextRound())) {
                return e;
            }
            start[0] = true;
            return new Entry(e.last(), e.nextRound(), e.failures(), true, e.defragmented(), e.connection());
        });
        // Submitted once the entry says in flight: a round started from inside compute could read the entry before.
        if (start[0]) {
            workers.submit(() -> round(id, pending.management(), pending.request()));
        }
    }

    /** When the reconcile should look again for this cluster. */
    Duration lookAgain(SKSCluster cluster) {
        Entry entry = entries.get(ResourceID.fromResource(cluster));
        if (entry == null || entry.inFlight()) {
            return IN_FLIGHT_POLL;
        }
        Duration until = Duration.between(clock.instant(), entry.nextRound());
        return until.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : until;
    }

    /** Drops what was kept of a deleted cluster. */
    void forget(SKSCluster cluster) {
        entries.remove(ResourceID.fromResource(cluster));
        latest.remove(ResourceID.fromResource(cluster));
    }

    private void round(ResourceID id, KubernetesClient management, Request request) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return; // forgotten meanwhile
        }
        Map<String, Instant> defragmented = new HashMap<>(request.lastDefragmentations());
        entry.defragmented().forEach((member, at) -> defragmented.merge(member, at, (a, b) -> a.isAfter(b) ? a : b));
        Optional<Connection> connection = entry.connection();
        Report report;
        Duration next;
        boolean failed = false;
        try {
            EtcdMaintenance client = client(management, request, connection);
            connection = Optional.of(new Connection(connectionKey(request), client));
            boolean reported = entry.last().flatMap(Report::noSpace).isPresent();
            Outcome outcome = maintain(client, request, defragmented, reported);
            report = outcome.report();
            next = outcome.next();
        } catch (EtcdException | RuntimeException e) {
            failed = true;
            String where = id.getNamespace().orElse("") + "/" + id.getName();
            LOG.debug("{}: etcd maintenance could not run: {}", where, e.getMessage());
            report = entry.last()
                    .map(r -> new Report(
                            r.members(), Map.copyOf(defragmented), r.noSpace(), "cannot reach etcd: " + e.getMessage()))
                    .orElseGet(() -> new Report(
                            List.of(),
                            Map.copyOf(defragmented),
                            Optional.empty(),
                            "cannot reach etcd: " + e.getMessage()));
            next = backoff(entry.failures() + 1);
        }
        Report done = report;
        Duration wait = next;
        boolean ok = !failed;
        Optional<Connection> opened = connection;
        entries.computeIfPresent(
                id,
                (k, e) -> new Entry(
                        Optional.of(done),
                        clock.instant().plus(wait),
                        ok ? 0 : e.failures() + 1,
                        false,
                        done.lastDefragmentations(),
                        opened));
        if (wake.isPresent()) {
            try {
                timer.schedule(() -> startIfDue(id), wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                return;
            }
            // Before a cluster's first report, status shows what the request came with: a first round that could not
            // reach etcd has nothing new for it (at a thousand new clusters, that was a thousand reconciles).
            Report shown = entry.last()
                    .orElseGet(() ->
                            new Report(List.of(), Map.copyOf(request.lastDefragmentations()), Optional.empty(), ""));
            if (!sameFindings(shown, done)) {
                wake.get().accept(id);
            }
        }
    }

    /**
     * Whether the cluster's etcd has served: a member is ready now, or status shows what an earlier round found (a
     * restarted operator keeps maintaining an etcd whose members are not ready, as under NOSPACE, when it matters
     * most). Before, there is nothing to maintain, and no round starts: each would open a client (its TLS context and
     * selector thread, kept for the next round) and retry with backoff against pods that are still starting, or never
     * run, as in a fleet made faster than it is scheduled. At 1,000 such clusters, that was about 10 MiB of heap and
     * the CPU of a TLS context built for each.
     */
    static boolean hasServed(Request request) {
        SKSClusterStatus status = request.cluster().getStatus();
        return request.serving()
                || (status != null
                        && status.etcd != null
                        && status.etcd.memberStatus != null
                        && !status.etcd.memberStatus.isEmpty());
    }

    /** Whether two reports show the same in status (their message is for logs and tests only). */
    static boolean sameFindings(Report before, Report now) {
        return before.members().equals(now.members())
                && before.lastDefragmentations().equals(now.lastDefragmentations())
                && before.noSpace().equals(now.noSpace());
    }

    private record Outcome(Report report, Duration next) {}

    /** One round: observe, plan, take the step. */
    private Outcome maintain(
            EtcdMaintenance client, Request request, Map<String, Instant> defragmented, boolean noSpaceReported)
            throws EtcdException {
        SKSCluster cluster = request.cluster();
        Observation observation = observe(client);
        EtcdMaintenancePlan.Observed observed = new EtcdMaintenancePlan.Observed(
                request.expectedMembers(),
                observation.states(),
                observation.learners(),
                observation.alarms(),
                request.growing(),
                request.upgrading(),
                defragmented,
                request.firstDue());
        EtcdMaintenancePlan.Step step = EtcdMaintenancePlan.next(observed, policy, clock.instant(), noSpaceReported);
        if (step instanceof EtcdMaintenancePlan.Defragment defragment) {
            defragment(client, observation, defragment.member(), cluster, defragmented);
            return new Outcome(
                    report(observe(client), defragmented, Optional.empty(), defragment.message()), STEP_PAUSE);
        }
        if (step instanceof EtcdMaintenancePlan.RecoverSpace recover) {
            try {
                client.compact(recover.revision());
            } catch (EtcdException e) {
                // A compaction to a revision etcd already compacted (its own, or the API server's) is done already.
                if (!e.answered() || !String.valueOf(e.getMessage()).contains("compacted")) {
                    throw e;
                }
            }
            for (String member : recover.order()) {
                defragment(client, observation, member, cluster, defragmented);
            }
            Observation after = observe(client);
            EtcdMaintenancePlan.Step verdict =
                    EtcdMaintenancePlan.afterRecovery(after.states(), after.alarms(), request.quotaBytes());
            if (verdict instanceof EtcdMaintenancePlan.Disarm disarm) {
                for (EtcdAlarm alarm : disarm.alarms()) {
                    client.disarm(alarm);
                }
                events.normal(cluster, ClusterEvents.ETCD_SPACE_RECOVERED, disarm.message());
                LOG.info("{}: {}", where(cluster), disarm.message());
                return new Outcome(
                        report(observe(client), defragmented, Optional.empty(), disarm.message()), STEP_PAUSE);
            }
            return new Outcome(
                    report(after, defragmented, Optional.of(verdict.message()), verdict.message()), STEP_PAUSE);
        }
        if (step instanceof EtcdMaintenancePlan.Wait wait && wait.noSpace()) {
            return new Outcome(
                    report(observation, defragmented, Optional.of(wait.message()), wait.message()), STEP_PAUSE);
        }
        return new Outcome(report(observation, defragmented, Optional.empty(), step.message()), CHECK_INTERVAL);
    }

    private void defragment(
            EtcdMaintenance client,
            Observation observation,
            String member,
            SKSCluster cluster,
            Map<String, Instant> defragmented)
            throws EtcdException {
        EtcdMaintenance target = client.member(observation.clientUrls().get(member));
        long before = observation.sizes().get(member).dbSize();
        target.defragment();
        Instant at = clock.instant();
        defragmented.put(member, at);
        long after = target.status().dbSize();
        String message = ClusterEvents.defragmented(member, before, after);
        LOG.info("{}: {}", where(cluster), message);
        events.normal(cluster, ClusterEvents.ETCD_DEFRAGMENTED, message);
    }

    private record Observation(
            List<MemberState> states,
            int learners,
            List<EtcdAlarm> alarms,
            Map<String, String> clientUrls,
            Map<String, MemberDb> sizes) {}

    /** Every member's status through its own client URL; a member that does not answer is down. */
    private static Observation observe(EtcdMaintenance client) throws EtcdException {
        List<EtcdMember> members = client.list();
        List<MemberState> states = new ArrayList<>();
        Map<String, String> urls = new HashMap<>();
        Map<String, MemberDb> sizes = new HashMap<>();
        int learners = 0;
        for (EtcdMember member : members) {
            if (member.learner()) {
                learners++;
            }
            if (member.clientUrls().isEmpty()) {
                states.add(MemberState.down(member.name(), "not started"));
                continue;
            }
            String url = member.clientUrls().get(0);
            urls.put(member.name(), url);
            try {
                EtcdMemberStatus status = client.member(url).status();
                states.add(MemberState.answered(member.name(), status));
                sizes.put(member.name(), new MemberDb(member.name(), status.dbSize(), status.dbSizeInUse()));
            } catch (EtcdException e) {
                states.add(MemberState.down(member.name(), e.getMessage()));
            }
        }
        return new Observation(states, learners, client.alarms(), Map.copyOf(urls), Map.copyOf(sizes));
    }

    private static Report report(
            Observation observation, Map<String, Instant> defragmented, Optional<String> noSpace, String message) {
        List<MemberDb> members = observation.sizes().values().stream()
                .sorted(java.util.Comparator.comparing(MemberDb::name))
                .toList();
        return new Report(members, Map.copyOf(defragmented), noSpace, message);
    }

    private EtcdMaintenance client(KubernetesClient management, Request request, Optional<Connection> open)
            throws EtcdException {
        String key = connectionKey(request);
        if (open.isPresent() && open.get().key().equals(key)) {
            return open.get().client();
        }
        return connector.maintenance(management, request.cluster(), request.firstMemberUrl());
    }

    private static String connectionKey(Request request) {
        return request.firstMemberUrl() + "|" + Objects.toString(request.credentials(), "");
    }

    private static String where(SKSCluster cluster) {
        return cluster.getMetadata().getNamespace() + "/"
                + cluster.getMetadata().getName();
    }

    static Duration backoff(int failures) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 10));
        return wait.compareTo(CHECK_INTERVAL) > 0 ? CHECK_INTERVAL : wait;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
    }
}
