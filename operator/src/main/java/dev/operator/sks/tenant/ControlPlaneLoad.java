package dev.operator.sks.tenant;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.sizing.LoadObservations;
import dev.operator.sks.sizing.LoadSample;
import dev.operator.sks.sizing.SizingDecision;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The load of each pro tenant, scraped from its API server's {@code /metrics} every {@link #INTERVAL} on a worker of
 * {@link KeyedWork}, never on a reconcile thread: Nodes and objects from the stored-object counts, the request rate
 * between two scrapes of {@code apiserver_request_total}, and {@code apiserver_current_inflight_requests}.
 *
 * <p>The operator's tenant client is the cluster's admin ({@code system:masters}), which may read {@code /metrics}
 * (a non-resource URL) without a binding of its own.
 *
 * <p>One scrape reaches one API server behind the Service: its rate and in-flight figures are multiplied by the
 * replicas sharing the load, which the Service balances. A counter that went back (that replica restarted, or the
 * scrape reached another one) gives no rate for that sample rather than a wrong one. The samples live in memory for the
 * decision's window: an operator restart starts the window again, which only delays a change.
 */
public final class ControlPlaneLoad implements LoadObservations {
    public static final Duration INTERVAL = Duration.ofSeconds(30);

    record Scrape(Instant at, ApiserverMetrics.Figures figures) {}

    private record Request(ClusterKey key, int replicas) {}

    /** What an attempt came to; samples are kept beside, per cluster. */
    record Outcome(boolean scraped, String message) {}

    private final TenantClients clients;
    private final Clock clock;
    private final Duration window;
    private final KeyedWork<ClusterKey, Request, Outcome> work;
    private final Map<ClusterKey, Deque<LoadSample>> samples = new ConcurrentHashMap<>();
    private final Map<ClusterKey, Scrape> lastScrape = new ConcurrentHashMap<>();

    public ControlPlaneLoad(TenantClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
        this.window = SizingDecision.Policy.DEFAULT.window().plus(INTERVAL.multipliedBy(4));
        this.work = new KeyedWork<>(
                "sks-control-plane-load",
                this::observe,
                e -> new Outcome(false, e.getClass().getSimpleName()),
                Outcome::scraped,
                INTERVAL,
                false,
                INTERVAL,
                clock);
    }

    @Override
    public List<LoadSample> samples(SKSCluster cluster, int apiserverReplicas) {
        ClusterKey key = ClusterKey.of(cluster);
        work.request(key, new Request(key, apiserverReplicas));
        Deque<LoadSample> kept = samples.get(key);
        if (kept == null) {
            return List.of();
        }
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    @Override
    public Duration interval() {
        return INTERVAL;
    }

    @Override
    public void forget(SKSCluster cluster) {
        ClusterKey key = ClusterKey.of(cluster);
        work.forget(key);
        samples.remove(key);
        lastScrape.remove(key);
    }

    private Outcome observe(Request request) {
        Optional<KubernetesClient> client = clients.client(request.key());
        if (client.isEmpty()) {
            return new Outcome(false, "no admin kubeconfig yet");
        }
        String base = client.get().getMasterUrl().toString();
        String text = client.get().raw(base.endsWith("/") ? base + "metrics" : base + "/metrics");
        if (text == null) {
            return new Outcome(false, "the tenant API server serves no /metrics");
        }
        ApiserverMetrics.Figures figures = ApiserverMetrics.figures(text);
        long nodes = figures.nodes().isPresent()
                ? figures.nodes().getAsLong()
                : client.get().nodes().list().getItems().size();
        Scrape scrape = new Scrape(clock.instant(), figures);
        LoadSample sample = sample(lastScrape.put(request.key(), scrape), scrape, nodes, request.replicas());
        Deque<LoadSample> kept = samples.computeIfAbsent(request.key(), k -> new ArrayDeque<>());
        synchronized (kept) {
            kept.addLast(sample);
            Instant oldest = sample.at().minus(window);
            while (!kept.isEmpty() && kept.peekFirst().at().isBefore(oldest)) {
                kept.removeFirst();
            }
        }
        return new Outcome(true, "scraped");
    }

    /** The sample of {@code scrape}, its rate from {@code previous} when that one is comparable. */
    static LoadSample sample(Scrape previous, Scrape scrape, long nodes, int replicas) {
        OptionalDouble rate = OptionalDouble.empty();
        if (previous != null) {
            double seconds = Duration.between(previous.at(), scrape.at()).toMillis() / 1000.0;
            double served = scrape.figures().requestTotal() - previous.figures().requestTotal();
            if (seconds > 0 && served >= 0) {
                rate = OptionalDouble.of(served / seconds * replicas);
            }
        }
        return new LoadSample(
                scrape.at(),
                nodes,
                scrape.figures().objects(),
                rate,
                scrape.figures().inflight() * replicas);
    }

    @Override
    public void close() {
        work.close();
    }
}
