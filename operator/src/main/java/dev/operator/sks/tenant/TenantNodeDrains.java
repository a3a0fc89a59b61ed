package dev.operator.sks.tenant;

import dev.operator.sks.tenant.DrainPlan.PodRef;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeDrains} against the tenant API servers, as {@code kubectl drain} does it: cordons the Node (a patch of
 * {@code spec.unschedulable} alone), then evicts the pods {@link DrainPlan} picks through the Eviction API, so every
 * PodDisruptionBudget holds, and waits until they are gone.
 *
 * <p>Each drain runs on a worker of its own in passes {@link #PASS_INTERVAL} apart, from the first {@link #drain} call
 * until it is final ({@link Drained}, or {@link TimedOut} at its deadline) or {@linkplain #forget forgotten}: a
 * reconcile only reads the last pass's answer, and a tenant that does not answer costs a worker a request timeout,
 * never a reconcile. An eviction a PodDisruptionBudget refuses (HTTP 429) is tried again on the next pass, as is
 * everything else that failed: passes are paced, never a hot loop.
 *
 * <p>Eviction is {@code policy/v1} from Kubernetes 1.22 on and {@code policy/v1beta1} before (the same
 * {@code pods/eviction} subresource, another body): v1 is tried first, and a tenant that answers it with 404 or 400
 * while v1beta1 works is remembered as an older one.
 */
public final class TenantNodeDrains implements NodeDrains, AutoCloseable {
    /** Between two passes of one drain: time for evicted pods to go and for their replacements to become ready. */
    public static final Duration PASS_INTERVAL = Duration.ofSeconds(5);
    /** How many pods a detail names; the count says the rest. */
    static final int NAMED_PODS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(TenantNodeDrains.class);

    private record Key(ClusterKey cluster, String node) {}

    /** One drain's state: the deadline its caller gave last, and the last answer. */
    private static final class Drain {
        private Instant deadline;
        private Progress progress;

        Drain(Instant deadline) {
            this.deadline = deadline;
            this.progress = new Draining(0, "the drain is starting; its pods are not counted yet");
        }
    }

    private final TenantClients tenants;
    private final Clock clock;
    private final ScheduledExecutorService workers;
    private final Map<Key, Drain> drains = new ConcurrentHashMap<>();
    /** Tenants whose API server has no policy/v1 Eviction (before 1.22). */
    private final Set<ClusterKey> v1beta1Only = ConcurrentHashMap.newKeySet();

    public TenantNodeDrains(TenantClients tenants, Clock clock) {
        this.tenants = tenants;
        this.clock = clock;
        this.workers = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "sks-node-drains");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Progress drain(ClusterKey cluster, String node, Instant deadline) {
        Key key = new Key(cluster, node);
        boolean[] started = {false};
        Drain drain = drains.computeIfAbsent(key, k -> {
            started[0] = true;
            return new Drain(deadline);
        });
        synchronized (drain) {
            drain.deadline = deadline;
        }
        if (started[0]) {
            LOG.info("draining Node {} of cluster {}/{}", node, cluster.namespace(), cluster.cluster());
            submit(key, drain, Duration.ZERO);
        }
        return settle(drain, Optional.empty());
    }

    @Override
    public void forget(ClusterKey cluster, String node) {
        // A pass under way finishes, and its answer is dropped with the state: it reschedules nothing.
        drains.remove(new Key(cluster, node));
    }

    /** How many drains are known (running or final, not forgotten). */
    int size() {
        return drains.size();
    }

    /**
     * Records a pass's answer (when given) and applies the deadline: a drain still under way at its deadline is
     * {@link TimedOut}, and a final answer stays.
     */
    private Progress settle(Drain drain, Optional<Progress> pass) {
        synchronized (drain) {
            if (drain.progress.done()) {
                return drain.progress;
            }
            pass.ifPresent(p -> drain.progress = p);
            if (drain.progress instanceof Draining d && !clock.instant().isBefore(drain.deadline)) {
                drain.progress = new TimedOut(d.podsLeft(), "the drain deadline passed: " + d.detail());
            }
            return drain.progress;
        }
    }

    private void submit(Key key, Drain drain, Duration delay) {
        try {
            workers.schedule(() -> pass(key, drain), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // Shutting down: the drain stops where it is.
        }
    }

    private void pass(Key key, Drain drain) {
        if (drains.get(key) != drain || settle(drain, Optional.empty()).done()) {
            return;
        }
        Progress progress;
        try {
            progress = attempt(key, lastPodsLeft(drain));
        } catch (RuntimeException e) {
            // By type only: a message may quote what the tenant sent.
            progress = new Draining(
                    lastPodsLeft(drain),
                    "the drain pass failed (" + e.getClass().getSimpleName() + "); retrying");
        }
        Progress settled = settle(drain, Optional.of(progress));
        if (settled instanceof Drained) {
            LOG.info(
                    "Node {} of cluster {}/{} is drained",
                    key.node(),
                    key.cluster().namespace(),
                    key.cluster().cluster());
        } else if (settled instanceof TimedOut t) {
            LOG.info(
                    "the drain of Node {} of cluster {}/{} timed out with {} pods left",
                    key.node(),
                    key.cluster().namespace(),
                    key.cluster().cluster(),
                    t.podsLeft());
        } else if (drains.get(key) == drain) {
            submit(key, drain, PASS_INTERVAL);
        }
    }

    private static int lastPodsLeft(Drain drain) {
        synchronized (drain) {
            return drain.progress instanceof Draining d ? d.podsLeft() : 0;
        }
    }

    /** One pass: cordon, read the Node's pods, evict those due. */
    private Progress attempt(Key key, int podsLeftBefore) {
        Optional<KubernetesClient> client;
        try {
            client = tenants.client(key.cluster());
        } catch (IllegalStateException e) {
            // Its message names the Secret, never its content.
            return new Draining(podsLeftBefore, e.getMessage() + "; retrying");
        }
        if (client.isEmpty()) {
            return new Draining(podsLeftBefore, "the cluster has no admin kubeconfig yet; retrying");
        }
        KubernetesClient tenant = client.get();
        try {
            Node node = tenant.nodes().withName(key.node()).get();
            if (node == null) {
                return new Drained();
            }
            cordon(tenant, node);
            List<Pod> pods = tenant.pods()
                    .inAnyNamespace()
                    .withField("spec.nodeName", key.node())
                    .list()
                    .getItems();
            DrainPlan.Plan plan = DrainPlan.of(pods);
            if (plan.drained()) {
                return new Drained();
            }
            List<PodRef> evicted = new ArrayList<>();
            List<PodRef> held = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            int gone = 0;
            for (PodRef pod : plan.evict()) {
                Eviction outcome = evict(tenant, key.cluster(), pod);
                switch (outcome.result()) {
                    case EVICTED -> evicted.add(pod);
                    case GONE -> gone++;
                    case HELD -> held.add(pod);
                    case REFUSED -> refused.add(pod + " (HTTP " + outcome.code() + ")");
                }
            }
            int left = plan.podsLeft() - gone;
            if (left == 0) {
                return new Drained();
            }
            return new Draining(left, detail(key.node(), left, evicted, held, refused, plan.terminating()));
        } catch (KubernetesClientException e) {
            // No HTTP answer (code 0 or -1: refused, timed out, cut off) or a server error: the tenant, not the drain.
            if (e.getCode() <= 0 || e.getCode() >= 500) {
                return new Draining(
                        podsLeftBefore,
                        TenantClients.describe(e) + "; retrying every " + PASS_INTERVAL.toSeconds() + " s");
            }
            return new Draining(
                    podsLeftBefore, "the tenant API server answered HTTP " + e.getCode() + " while draining; retrying");
        }
    }

    /**
     * Sets {@code spec.unschedulable} and nothing else (a merge patch touches no other field), on this Node only: the
     * uid in the patch fails it on a same-named Node registered anew meanwhile.
     */
    private static void cordon(KubernetesClient tenant, Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return;
        }
        tenant.nodes()
                .withName(node.getMetadata().getName())
                .patch(
                        PatchContext.of(PatchType.STRATEGIC_MERGE),
                        "{\"metadata\":{\"uid\":\"" + node.getMetadata().getUid()
                                + "\"},\"spec\":{\"unschedulable\":true}}");
    }

    enum EvictionResult {
        EVICTED,
        /** The pod no longer exists. */
        GONE,
        /** A PodDisruptionBudget does not allow it now (HTTP 429). */
        HELD,
        REFUSED
    }

    record Eviction(EvictionResult result, int code) {
        static Eviction of(EvictionResult result) {
            return new Eviction(result, 0);
        }
    }

    private Eviction evict(KubernetesClient tenant, ClusterKey cluster, PodRef ref) {
        PodResource pod = tenant.pods().inNamespace(ref.namespace()).withName(ref.name());
        boolean triedV1 = false;
        if (!v1beta1Only.contains(cluster)) {
            triedV1 = true;
            try {
                return Eviction.of(
                        pod.evict(new EvictionBuilder()
                                        .withNewMetadata()
                                        .withName(ref.name())
                                        .withNamespace(ref.namespace())
                                        .endMetadata()
                                        .build())
                                ? EvictionResult.EVICTED
                                : EvictionResult.HELD);
            } catch (KubernetesClientException e) {
                if (e.getCode() <= 0) {
                    throw e;
                }
                if (e.getCode() != 404 && e.getCode() != 400) {
                    return new Eviction(EvictionResult.REFUSED, e.getCode());
                }
                // The pod is gone, or the server has no policy/v1 Eviction: v1beta1 tells which.
            }
        }
        try {
            boolean evicted = pod.evict(); // policy/v1beta1
            if (triedV1 && v1beta1Only.add(cluster)) {
                LOG.info(
                        "the API server of cluster {}/{} has no policy/v1 Eviction: evicting with policy/v1beta1",
                        cluster.namespace(),
                        cluster.cluster());
            }
            return Eviction.of(evicted ? EvictionResult.EVICTED : EvictionResult.HELD);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Eviction.of(EvictionResult.GONE);
            }
            if (e.getCode() <= 0) {
                throw e;
            }
            return new Eviction(EvictionResult.REFUSED, e.getCode());
        }
    }

    static String detail(
            String node,
            int left,
            List<PodRef> evicted,
            List<PodRef> held,
            List<String> refused,
            List<PodRef> terminating) {
        List<String> parts = new ArrayList<>();
        if (!held.isEmpty()) {
            parts.add("held by a PodDisruptionBudget: "
                    + names(held.stream().map(PodRef::toString).toList()));
        }
        if (!refused.isEmpty()) {
            parts.add("eviction refused: " + names(refused));
        }
        if (!evicted.isEmpty()) {
            parts.add("evicted, waiting for them to go: "
                    + names(evicted.stream().map(PodRef::toString).toList()));
        }
        if (!terminating.isEmpty()) {
            parts.add("terminating: "
                    + names(terminating.stream().map(PodRef::toString).toList()));
        }
        return left + (left == 1 ? " pod" : " pods") + " left on Node " + node + " (cordoned); "
                + String.join("; ", parts);
    }

    private static String names(List<String> pods) {
        if (pods.size() <= NAMED_PODS) {
            return String.join(", ", pods);
        }
        return String.join(", ", pods.subList(0, NAMED_PODS)) + " and " + (pods.size() - NAMED_PODS) + " more";
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
