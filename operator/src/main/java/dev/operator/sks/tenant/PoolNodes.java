package dev.operator.sks.tenant;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.simulated.SimulatedNodeRenderer;
import dev.operator.sks.provider.simulated.SimulatedProvider;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant Nodes of one pool's running instances, kept in the background through {@link KeyedWork}: a reconcile
 * only asks and reads the last result, so an unreachable tenant costs a probe on a worker, never on a reconcile
 * thread. Two modes:
 * <ul>
 *   <li>{@link #simulating}: plays the kubelets of simulated instances, as KWOK does: registers the missing Nodes
 *       (Ready), deletes those of the pool whose instance is gone, and renews each Node's heartbeat Lease on a thread
 *       of its own, so the tenant's node lifecycle controller keeps them Ready;</li>
 *   <li>{@link #observing}: real machines run real kubelets, which register their own Nodes; it reads which running
 *       instances have a Ready Node, again every {@link #OBSERVE_INTERVAL}, so a Node that goes NotReady shows.</li>
 * </ul>
 */
public final class PoolNodes implements AutoCloseable {
    /** How often an in-sync simulated pool's Nodes are checked again (repairs a Node deleted in the tenant). */
    static final Duration RESYNC_INTERVAL = Duration.ofMinutes(10);
    /** How often a real pool's Nodes are read again, joining or not: what readyNodes lags behind the tenant by. */
    public static final Duration OBSERVE_INTERVAL = Duration.ofSeconds(30);

    static final Duration IN_FLIGHT_POLL = Duration.ofSeconds(2);
    /** The kubelet's default node-lease renewal interval. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(PoolNodes.class);

    /**
     * One pool's wanted Nodes.
     *
     * @param pool namespace/name of the InstancePool (the key of its work)
     * @param nodepoolId the value of {@link Labels#NODEPOOL_ID} in {@code nodeLabels}: the Nodes of this pool
     * @param running the instances that should have a Node
     */
    public record Request(
            String pool,
            ClusterKey cluster,
            String nodepoolId,
            Map<String, String> nodeLabels,
            List<NodepoolTaint> taints,
            InstanceType instanceType,
            List<ProviderInstance> running) {
        public Request {
            nodeLabels = Map.copyOf(nodeLabels);
            taints = List.copyOf(taints);
            running = List.copyOf(running);
        }

        /** The Nodes {@code desired}'s {@code running} instances should have. */
        public static Request of(DesiredPool desired, List<ProviderInstance> running) {
            return new Request(
                    desired.key(),
                    new ClusterKey(desired.namespace(), desired.cluster()),
                    desired.nodeLabels().get(Labels.NODEPOOL_ID),
                    desired.nodeLabels(),
                    desired.taints(),
                    desired.instanceType(),
                    running);
        }

        /** Taints are plain classes without equals: compared by their fields, so an unchanged pool is one request. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Request r
                    && pool.equals(r.pool)
                    && cluster.equals(r.cluster)
                    && Objects.equals(nodepoolId, r.nodepoolId)
                    && nodeLabels.equals(r.nodeLabels)
                    && taintKeys().equals(r.taintKeys())
                    && instanceType.equals(r.instanceType)
                    && running.equals(r.running);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pool, cluster, nodepoolId, nodeLabels, taintKeys(), instanceType, running);
        }

        private List<String> taintKeys() {
            return taints.stream()
                    .map(t -> t.key + "=" + t.value + ":" + t.effect)
                    .toList();
        }
    }

    /**
     * What the last sync found.
     *
     * @param synced every running instance has a Ready Node (and, simulating, no Node of the pool is left over)
     * @param reason CamelCase, for a condition
     * @param readyNodes the Nodes (named as their instances) that exist and are Ready
     */
    public record Result(boolean synced, String reason, String message, Set<String> readyNodes) {
        public Result {
            readyNodes = Set.copyOf(readyNodes);
        }

        static Result failed(String reason, String message) {
            return new Result(false, reason, message, Set.of());
        }

        /** Whether the tenant was read (or written): a pool still waiting for kubelets to join is not a failure. */
        boolean tenantAnswered() {
            return synced || WAITING_FOR_NODES.equals(reason);
        }
    }

    static final String WAITING_FOR_NODES = "WaitingForNodes";

    private final KubernetesClient management;
    private final TenantClients tenants;
    private final Clock clock;
    private final KeyedWork<String, Request, Result> work;
    /** The registered Nodes of each pool (name to uid) whose Leases the heartbeat renews, by pool. */
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();

    private final boolean simulating;
    private final Optional<ScheduledExecutorService> heartbeats;

    private record Registered(ClusterKey cluster, Map<String, String> nodeUids) {}

    /** The pool Nodes for {@code provider}: simulated instances get theirs played, real ones register their own. */
    public static PoolNodes forProvider(
            ComputeProvider provider, KubernetesClient management, TenantClients tenants, Clock clock) {
        return SimulatedProvider.NAME.equals(provider.name())
                ? simulating(management, tenants, clock)
                : observing(management, tenants, clock);
    }

    /** Plays the kubelets of simulated instances. */
    public static PoolNodes simulating(KubernetesClient management, TenantClients tenants, Clock clock) {
        return new PoolNodes(management, tenants, clock, true);
    }

    /** Reads the Nodes that real machines' kubelets register. */
    public static PoolNodes observing(KubernetesClient management, TenantClients tenants, Clock clock) {
        return new PoolNodes(management, tenants, clock, false);
    }

    private PoolNodes(KubernetesClient management, TenantClients tenants, Clock clock, boolean simulating) {
        this.management = management;
        this.tenants = tenants;
        this.clock = clock;
        this.simulating = simulating;
        // Simulating, a sync is done when the Nodes match; observing, when the tenant answered (kubelets join later).
        Predicate<Result> done = simulating ? Result::synced : Result::tenantAnswered;
        this.work = new KeyedWork<>(
                simulating ? "sks-simulated-nodes" : "sks-pool-nodes",
                this::sync,
                e -> Result.failed("NodeSyncFailed", e.getClass().getSimpleName()),
                done,
                simulating ? RESYNC_INTERVAL : OBSERVE_INTERVAL,
                true,
                IN_FLIGHT_POLL,
                clock);
        if (simulating) {
            ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "sks-simulated-heartbeats");
                thread.setDaemon(true);
                return thread;
            });
            schedule.scheduleWithFixedDelay(
                    this::renewLeases,
                    HEARTBEAT_INTERVAL.toMillis(),
                    HEARTBEAT_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
            this.heartbeats = Optional.of(schedule);
        } else {
            this.heartbeats = Optional.empty();
        }
    }

    /** Whether this plays kubelets (simulated instances) rather than reading what real ones registered. */
    public boolean simulating() {
        return simulating;
    }

    /**
     * The last sync of {@code request.pool()} (empty before the first one ends), starting one in the background when
     * the request changed or one is due.
     */
    public Optional<KeyedWork.Outcome<Request, Result>> request(Request request) {
        return work.request(request.pool(), request);
    }

    /** When to look again while the pool's Nodes are not in sync. */
    public Duration retryAfter(String pool) {
        return work.retryAfter(pool);
    }

    /**
     * Forgets the pool, whose instances are gone; simulating, also removes its Nodes in the background, once. A deleted
     * pool leaves no state behind.
     */
    public void release(Request empty) {
        registered.remove(empty.pool());
        work.forget(empty.pool());
        if (simulating) {
            work.request(empty.pool(), empty);
            work.forget(empty.pool());
        }
    }

    Result sync(Request request) {
        if (request.nodepoolId() == null || request.nodepoolId().isBlank()) {
            return Result.failed(
                    "NoNodepoolId",
                    "the pool's labels have no " + Labels.NODEPOOL_ID + ": its Nodes could not be told apart");
        }
        // Only played kubelets need the version they report; observing reads no more than the tenant.
        Optional<KubernetesVersion> version = simulating ? kubeletVersion(request.cluster()) : Optional.empty();
        if (simulating && version.isEmpty()) {
            return Result.failed("WaitingForVersion", "the cluster has no valid Kubernetes version");
        }
        Optional<KubernetesClient> tenant;
        try {
            tenant = tenants.client(request.cluster());
        } catch (IllegalStateException e) {
            return Result.failed("KubeconfigUnreadable", e.getMessage());
        }
        if (tenant.isEmpty()) {
            return Result.failed("WaitingForKubeconfig", "the cluster has no admin kubeconfig yet");
        }
        TenantProbe probe = TenantClients.probeClient(tenant.get());
        if (!probe.reachable()) {
            return Result.failed("TenantUnreachable", probe.message());
        }
        try {
            return simulating ? register(tenant.get(), request, version.orElseThrow()) : observe(tenant.get(), request);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 0) { // no HTTP answer: connection lost or timed out mid-way
                return Result.failed(
                        "TenantUnreachable",
                        "the tenant API server stopped answering ("
                                + e.getClass().getSimpleName() + ")");
            }
            return Result.failed("NodeRegistrationFailed", "the tenant API server refused a Node: HTTP " + e.getCode());
        }
    }

    private Result register(KubernetesClient tenant, Request request, KubernetesVersion version) {
        Map<String, Node> existing =
                tenant.nodes().withLabel(Labels.NODEPOOL_ID, request.nodepoolId()).list().getItems().stream()
                        .collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
        Set<String> wanted =
                request.running().stream().map(ProviderInstance::name).collect(Collectors.toSet());
        Set<String> ready = new HashSet<>();
        Map<String, String> uids = new HashMap<>();
        for (ProviderInstance instance : request.running()) {
            Node node = existing.get(instance.name());
            if (node != null && SimulatedNodeRenderer.isReady(node)) {
                ready.add(instance.name());
                uids.put(instance.name(), node.getMetadata().getUid());
                continue;
            }
            Node rendered = SimulatedNodeRenderer.render(
                    instance, request.nodeLabels(), request.taints(), request.instanceType(), version, clock.instant());
            if (node == null) {
                // Created bare, then reported through the status subresource, as a kubelet registers and then reports.
                Node withoutStatus = new Node(
                        rendered.getApiVersion(), rendered.getKind(), rendered.getMetadata(), rendered.getSpec(), null);
                node = tenant.nodes().resource(withoutStatus).create();
            }
            node.setStatus(rendered.getStatus());
            tenant.nodes().resource(node).updateStatus();
            ready.add(instance.name());
            uids.put(instance.name(), node.getMetadata().getUid());
        }
        for (Node node : existing.values()) {
            if (!wanted.contains(node.getMetadata().getName())) {
                tenant.nodes().resource(node).delete();
                // A tenant's garbage collector would take the Lease along with its owner; this does not wait for one.
                tenant.leases()
                        .inNamespace(SimulatedNodeRenderer.NODE_LEASE_NAMESPACE)
                        .withName(node.getMetadata().getName())
                        .delete();
            }
        }
        if (uids.isEmpty()) {
            registered.remove(request.pool());
        } else {
            registered.put(request.pool(), new Registered(request.cluster(), Map.copyOf(uids)));
        }
        return new Result(true, "Registered", ready.size() + " Nodes registered and Ready", ready);
    }

    private Optional<KubernetesVersion> kubeletVersion(ClusterKey key) {
        SKSCluster cluster = management
                .resources(SKSCluster.class)
                .inNamespace(key.namespace())
                .withName(key.cluster())
                .get();
        return cluster == null ? Optional.empty() : JoinMaterial.kubernetesVersion(cluster);
    }

    /** Which running instances have a Ready Node, registered by their own kubelet (named as the instance). */
    private Result observe(KubernetesClient tenant, Request request) {
        Set<String> readyNodes =
                tenant.nodes().withLabel(Labels.NODEPOOL_ID, request.nodepoolId()).list().getItems().stream()
                        .filter(SimulatedNodeRenderer::isReady)
                        .map(n -> n.getMetadata().getName())
                        .collect(Collectors.toSet());
        Set<String> ready = request.running().stream()
                .map(ProviderInstance::name)
                .filter(readyNodes::contains)
                .collect(Collectors.toSet());
        int running = request.running().size();
        if (ready.size() == running) {
            return new Result(true, "Registered", running + " Nodes registered and Ready", ready);
        }
        return new Result(
                false,
                WAITING_FOR_NODES,
                ready.size() + " of " + running + " running instances have a Ready "
                        + "Node; the others' kubelets have not joined (or are not Ready)",
                ready);
    }

    /**
     * Renews the heartbeat Lease of every registered Node, as their kubelets would. Never throws (that would end the
     * schedule): a tenant that does not answer is skipped until the next round.
     */
    void renewLeases() {
        Map<ClusterKey, List<Registered>> byCluster =
                registered.values().stream().collect(Collectors.groupingBy(Registered::cluster));
        byCluster.forEach((cluster, pools) -> {
            try {
                Optional<KubernetesClient> tenant = tenants.client(cluster);
                if (tenant.isEmpty()) {
                    return;
                }
                for (Registered pool : pools) {
                    pool.nodeUids()
                            .forEach((node, uid) -> tenant.get()
                                    .resource(SimulatedNodeRenderer.lease(node, uid, clock.instant()))
                                    .fieldManager(Labels.FIELD_MANAGER)
                                    .forceConflicts()
                                    .serverSideApply());
                }
            } catch (RuntimeException e) {
                LOG.debug(
                        "node heartbeats of cluster {}/{} skipped this round: {}",
                        cluster.namespace(),
                        cluster.cluster(),
                        e.getClass().getSimpleName());
            }
        });
    }

    @Override
    public void close() {
        heartbeats.ifPresent(ScheduledExecutorService::shutdownNow);
        work.close();
    }
}
