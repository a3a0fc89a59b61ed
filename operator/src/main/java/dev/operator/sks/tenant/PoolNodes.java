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
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 *       (Ready, tainted uninitialized as kubelets with {@code --cloud-provider=external} register), and renews each
 *       Node's heartbeat Lease on a thread of its own, so the tenant's node lifecycle controller keeps them Ready; and
 *       plays the cloud controller that initializes them ({@link SimulatedCloudNodes});</li>
 *   <li>{@link #observing}: real machines run real kubelets, which register their own Nodes; it reads which running
 *       instances have a Ready Node, again every {@link #OBSERVE_INTERVAL}, so a Node that goes NotReady shows.</li>
 * </ul>
 * In both, the pool's labels reach its Nodes ({@link NodeLabels}), and the Nodes of instances the pool no longer has
 * are deleted, each only when it is provably that instance's ({@link NodeProof}).
 */
public final class PoolNodes implements AutoCloseable {
    /** How often an in-sync simulated pool's Nodes are checked again (repairs a Node deleted in the tenant). */
    static final Duration RESYNC_INTERVAL = Duration.ofMinutes(10);
    /**
     * How often a simulated pool with stopped kubelets ({@link Labels#STOP_HEARTBEATS_ANNOTATION}) is read again: the
     * tenant's node lifecycle controller marks their Nodes not Ready some 40 s after the last heartbeat, with no event
     * that reaches the pool, and auto-repair must see it then, not at the next {@link #RESYNC_INTERVAL}.
     */
    public static final Duration STOPPED_RESYNC_INTERVAL = Duration.ofSeconds(10);
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
     * @param nodepoolId the value of {@link Labels#NODEPOOL_ID} in {@code nodeLabels} (a label tells nothing of ownership:
     *     Nodes are the pool's by name and providerID, see {@link NodeProof})
     * @param zone the pool's zone, which the simulated cloud controller labels Nodes with
     * @param running the instances that should have a Node
     * @param departed instances the pool had and no longer has: their Nodes are to go
     * @param kubeletVersions the Kubernetes version each instance was made with, by name: what a played kubelet
     *     reports (an instance not named reports the cluster's version)
     * @param heartbeatsStopped running instances whose played kubelet is stopped (simulating only; a test and demo
     *     switch, {@link Labels#STOP_HEARTBEATS_ANNOTATION}): their Node Leases are not renewed nor their Nodes
     *     registered or made Ready again, so the tenant's node lifecycle controller finds them dead
     */
    public record Request(
            String pool,
            ClusterKey cluster,
            String nodepoolId,
            String zone,
            Map<String, String> nodeLabels,
            List<NodepoolTaint> taints,
            InstanceType instanceType,
            List<ProviderInstance> running,
            List<NodeProof.Machine> departed,
            Map<String, String> kubeletVersions,
            Set<String> heartbeatsStopped) {
        public Request {
            nodeLabels = Map.copyOf(nodeLabels);
            taints = List.copyOf(taints);
            running = List.copyOf(running);
            departed = List.copyOf(departed);
            kubeletVersions = Map.copyOf(kubeletVersions);
            heartbeatsStopped = Set.copyOf(heartbeatsStopped);
        }

        public Request(
                String pool,
                ClusterKey cluster,
                String nodepoolId,
                String zone,
                Map<String, String> nodeLabels,
                List<NodepoolTaint> taints,
                InstanceType instanceType,
                List<ProviderInstance> running,
                List<NodeProof.Machine> departed) {
            this(
                    pool,
                    cluster,
                    nodepoolId,
                    zone,
                    nodeLabels,
                    taints,
                    instanceType,
                    running,
                    departed,
                    Map.of(),
                    Set.of());
        }

        /** The same request with the played kubelets of {@code instances} stopped. */
        public Request withHeartbeatsStopped(Set<String> instances) {
            return new Request(
                    pool,
                    cluster,
                    nodepoolId,
                    zone,
                    nodeLabels,
                    taints,
                    instanceType,
                    running,
                    departed,
                    kubeletVersions,
                    instances);
        }

        /** The Nodes {@code desired}'s {@code running} instances should have, and those of {@code departed} not. */
        public static Request of(
                DesiredPool desired, List<ProviderInstance> running, List<NodeProof.Machine> departed) {
            return of(desired, running, departed, Map.of());
        }

        /** As above, each played kubelet reporting the version its instance was made with. */
        public static Request of(
                DesiredPool desired,
                List<ProviderInstance> running,
                List<NodeProof.Machine> departed,
                Map<String, String> kubeletVersions) {
            return new Request(
                    desired.key(),
                    new ClusterKey(desired.namespace(), desired.cluster()),
                    desired.nodeLabels().get(Labels.NODEPOOL_ID),
                    desired.zone(),
                    desired.nodeLabels(),
                    desired.taints(),
                    desired.instanceType(),
                    running,
                    departed,
                    kubeletVersions,
                    Set.of());
        }

        /** The InstancePool's name, without its namespace. */
        String poolName() {
            return pool.substring(pool.indexOf('/') + 1);
        }

        /** Taints are plain classes without equals: compared by their fields, so an unchanged pool is one request. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Request r
                    && pool.equals(r.pool)
                    && cluster.equals(r.cluster)
                    && Objects.equals(nodepoolId, r.nodepoolId)
                    && Objects.equals(zone, r.zone)
                    && nodeLabels.equals(r.nodeLabels)
                    && taintKeys().equals(r.taintKeys())
                    && instanceType.equals(r.instanceType)
                    && running.equals(r.running)
                    && departed.equals(r.departed)
                    && kubeletVersions.equals(r.kubeletVersions)
                    && heartbeatsStopped.equals(r.heartbeatsStopped);
        }

        @Override
        public int hashCode() {
            return Objects.hash(
                    pool,
                    cluster,
                    nodepoolId,
                    zone,
                    nodeLabels,
                    taintKeys(),
                    instanceType,
                    running,
                    departed,
                    kubeletVersions,
                    heartbeatsStopped);
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
     * @param synced every running instance has a Ready (and, simulating, initialized) Node, and no departed one has
     * @param reason CamelCase, for a condition
     * @param readyNodes the Nodes (named as their instances) that exist and are Ready
     * @param departedDone the departed instances (by name) whose Nodes are known gone: the pool need not keep them
     * @param notReadySince the Nodes (named as their instances) that exist and are not Ready, with the time their Ready
     *     condition last changed (the read time when they report none): what auto-repair measures
     */
    public record Result(
            boolean synced,
            String reason,
            String message,
            Set<String> readyNodes,
            Set<String> departedDone,
            Map<String, Instant> notReadySince) {
        public Result {
            readyNodes = Set.copyOf(readyNodes);
            departedDone = Set.copyOf(departedDone);
            notReadySince = Map.copyOf(notReadySince);
        }

        public Result(boolean synced, String reason, String message, Set<String> readyNodes, Set<String> departedDone) {
            this(synced, reason, message, readyNodes, departedDone, Map.of());
        }

        static Result failed(String reason, String message) {
            return new Result(false, reason, message, Set.of(), Set.of());
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
    /** The cluster of each pool asked about: the tenants with simulated pools, for the simulated service controller. */
    private final Map<String, ClusterKey> poolClusters = new ConcurrentHashMap<>();

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
                simulating ? o -> resyncAfter(o.input()) : o -> OBSERVE_INTERVAL,
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

    /** When an in-sync simulated pool is read again: soon while some of its kubelets are stopped. */
    public static Duration resyncAfter(Request request) {
        return request.heartbeatsStopped().isEmpty() ? RESYNC_INTERVAL : STOPPED_RESYNC_INTERVAL;
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
        poolClusters.put(request.pool(), request.cluster());
        return work.request(request.pool(), request);
    }

    /** The clusters of the pools asked about and not forgotten. */
    public Set<ClusterKey> clusters() {
        return Set.copyOf(poolClusters.values());
    }

    /** When to look again while the pool's Nodes are not in sync. */
    public Duration retryAfter(String pool) {
        return work.retryAfter(pool);
    }

    /** Forgets the pool without touching its Nodes (its cluster is gone, or another one now bears its name). */
    public void forget(String pool) {
        registered.remove(pool);
        poolClusters.remove(pool);
        work.forget(pool);
    }

    /**
     * Forgets the pool, whose machines are deleted, and removes the Nodes they provably had ({@code gone.departed()}),
     * in the background, once. A deleted pool leaves no state behind.
     */
    public void release(Request gone) {
        forget(gone.pool());
        work.request(gone.pool(), gone);
        work.forget(gone.pool());
    }

    Result sync(Request request) {
        if (request.nodepoolId() == null || request.nodepoolId().isBlank()) {
            return Result.failed(
                    "NoNodepoolId",
                    "the pool's labels have no " + Labels.NODEPOOL_ID + ": its Nodes could not be told apart");
        }
        // Only played kubelets need the version they report, and only while they have Nodes to register.
        boolean playing = simulating && !request.running().isEmpty();
        Optional<KubernetesVersion> version = playing ? kubeletVersion(request.cluster()) : Optional.empty();
        if (playing && version.isEmpty()) {
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
            return simulating ? register(tenant.get(), request, version) : observe(tenant.get(), request);
        } catch (KubernetesClientException e) {
            // No HTTP answer: fabric8 reports a connection lost or timed out mid-way as 0, and a refused one as -1
            // (as TenantNodeDrains reads it).
            if (e.getCode() <= 0) {
                return Result.failed(
                        "TenantUnreachable",
                        "the tenant API server stopped answering ("
                                + e.getClass().getSimpleName() + ")");
            }
            return Result.failed("NodeRegistrationFailed", "the tenant API server refused a Node: HTTP " + e.getCode());
        }
    }

    /**
     * Plays the pool's kubelets, then the cloud controller: each running instance's Node is registered (tainted
     * uninitialized, as a kubelet with an external cloud provider registers it), then initialized
     * ({@link SimulatedCloudNodes}), then given the pool's labels; the departed instances' Nodes go.
     */
    private Result register(KubernetesClient tenant, Request request, Optional<KubernetesVersion> version) {
        Map<String, Node> existing = nodesByName(tenant);
        Set<String> ready = new HashSet<>();
        Map<String, String> uids = new HashMap<>();
        List<String> foreign = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        Map<String, Instant> notReady = new HashMap<>();
        for (ProviderInstance instance : request.running()) {
            Node node = existing.get(instance.name());
            if (request.heartbeatsStopped().contains(instance.name())) {
                // A dead kubelet registers nothing, posts nothing and renews no Lease: its Node is left to the
                // tenant's node lifecycle controller, and counted Ready only while that still says so.
                stopped.add(instance.name());
                if (node != null && SimulatedNodeRenderer.isReady(node)) {
                    ready.add(instance.name());
                } else if (node != null) {
                    // Since when, as the node lifecycle controller wrote it: auto-repair measures from there, not from
                    // the machine's creation.
                    notReady.put(instance.name(), readyTransition(node).orElse(clock.instant()));
                }
                continue;
            }
            if (node == null || !SimulatedNodeRenderer.isReady(node)) {
                // The version the instance was made with, so a replaced machine shows its new kubelet.
                KubernetesVersion kubelet = Optional.ofNullable(
                                request.kubeletVersions().get(instance.name()))
                        .flatMap(KubernetesVersion::parse)
                        .orElse(version.orElseThrow());
                node = kubeletRegisters(tenant, node, instance, request, kubelet);
            }
            Optional<Node> initialized = SimulatedCloudNodes.initialize(
                    tenant, node, instance, request.poolName(), request.zone(), request.instanceType());
            if (initialized.isEmpty()) {
                foreign.add(instance.name());
                continue;
            }
            node = labelled(tenant, initialized.get(), request.nodeLabels());
            ready.add(instance.name());
            uids.put(instance.name(), node.getMetadata().getUid());
        }
        Set<String> departedDone = removeDeparted(tenant, existing, request);
        if (uids.isEmpty()) {
            registered.remove(request.pool());
        } else {
            registered.put(request.pool(), new Registered(request.cluster(), Map.copyOf(uids)));
        }
        if (!foreign.isEmpty()) {
            return new Result(
                    false,
                    "NodeNameTaken",
                    "Nodes named " + String.join(", ", foreign) + " name another machine in spec.providerID; they "
                            + "are left alone, and these instances have no Node until they are deleted",
                    ready,
                    departedDone);
        }
        if (!stopped.isEmpty()) {
            return new Result(
                    true,
                    "Registered",
                    uids.size() + " Nodes registered, initialized and Ready; the kubelets of "
                            + String.join(", ", stopped) + " are stopped (" + Labels.STOP_HEARTBEATS_ANNOTATION + ")",
                    ready,
                    departedDone,
                    notReady);
        }
        return new Result(
                true, "Registered", ready.size() + " Nodes registered, initialized and Ready", ready, departedDone);
    }

    /**
     * What a kubelet does: registers its Node (by server-side apply under the kubelet's field manager, so the labels
     * it registers with are recorded as the kubelet's) and posts its status, keeping the addresses a cloud controller
     * reported.
     */
    private Node kubeletRegisters(
            KubernetesClient tenant, Node node, ProviderInstance instance, Request request, KubernetesVersion version) {
        Node rendered = SimulatedNodeRenderer.render(
                instance, request.nodeLabels(), request.taints(), request.instanceType(), version, clock.instant());
        if (node == null) {
            Node withoutStatus = new Node(
                    rendered.getApiVersion(), rendered.getKind(), rendered.getMetadata(), rendered.getSpec(), null);
            node = tenant.resource(withoutStatus)
                    .fieldManager(NodeLabels.KUBELET_MANAGER)
                    .serverSideApply();
        }
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            rendered.getStatus().setAddresses(node.getStatus().getAddresses());
        }
        node.setStatus(rendered.getStatus());
        return tenant.nodes().resource(node).updateStatus();
    }

    /** {@code node} with the pool's labels, applied under the operator's own field manager ({@link NodeLabels}). */
    private static Node labelled(KubernetesClient tenant, Node node, Map<String, String> wanted) {
        NodeLabels.Plan plan = NodeLabels.plan(node, wanted);
        if (!plan.needed()) {
            return node;
        }
        String name = node.getMetadata().getName();
        if (!plan.remove().isEmpty()) {
            // An update at the resourceVersion read: it fails rather than touch a Node replaced meanwhile.
            Map<String, String> kept = new LinkedHashMap<>(node.getMetadata().getLabels());
            plan.remove().forEach(kept::remove);
            tenant.resource(new NodeBuilder(node)
                            .editMetadata()
                            .withLabels(kept)
                            .endMetadata()
                            .build())
                    .update();
        }
        // The uid makes the apply fail rather than create a bare Node, should this one be deleted meanwhile.
        Node labels = new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withUid(node.getMetadata().getUid())
                .withLabels(plan.apply())
                .endMetadata()
                .build();
        return tenant.resource(labels)
                .fieldManager(Labels.NODE_LABELS_FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /**
     * Deletes the Nodes of the departed instances, each only when it is provably theirs ({@link NodeProof}), with the
     * heartbeat Lease it owns. Returns the departed instances whose Node is gone now (or was never theirs).
     */
    private static Set<String> removeDeparted(KubernetesClient tenant, Map<String, Node> existing, Request request) {
        Set<String> running =
                request.running().stream().map(ProviderInstance::name).collect(Collectors.toSet());
        Set<String> done = new HashSet<>();
        for (NodeProof.Machine gone : request.departed()) {
            Node node = existing.get(gone.name());
            if (node != null && !running.contains(gone.name()) && NodeProof.isNodeOf(node, gone)) {
                // Locked to the version read: a Node registered anew meanwhile is another one, and is not deleted.
                tenant.nodes()
                        .withName(gone.name())
                        .lockResourceVersion(node.getMetadata().getResourceVersion())
                        .delete();
                // A tenant's garbage collector would take the Lease along with its owner; this does not wait for one.
                Lease lease = tenant.leases()
                        .inNamespace(SimulatedNodeRenderer.NODE_LEASE_NAMESPACE)
                        .withName(gone.name())
                        .get();
                if (lease != null && ownedBy(lease, node)) {
                    tenant.resource(lease).delete();
                }
                LOG.info("deleted Node {} of departed instance {} (pool {})", gone.name(), gone.id(), request.pool());
            }
            done.add(gone.name());
        }
        return done;
    }

    private static boolean ownedBy(Lease lease, Node node) {
        return lease.getMetadata().getOwnerReferences() != null
                && lease.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> node.getMetadata().getUid().equals(r.getUid()));
    }

    /** When {@code node}'s Ready condition last changed, as its kubelet (or the node lifecycle controller) wrote it. */
    static Optional<Instant> readyTransition(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()) && c.getLastTransitionTime() != null)
                .findFirst()
                .flatMap(c -> {
                    try {
                        return Optional.of(Instant.parse(c.getLastTransitionTime()));
                    } catch (java.time.format.DateTimeParseException e) {
                        return Optional.empty();
                    }
                });
    }

    private static Map<String, Node> nodesByName(KubernetesClient tenant) {
        return tenant.nodes().list().getItems().stream()
                .collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
    }

    private Optional<KubernetesVersion> kubeletVersion(ClusterKey key) {
        SKSCluster cluster = management
                .resources(SKSCluster.class)
                .inNamespace(key.namespace())
                .withName(key.cluster())
                .get();
        return cluster == null ? Optional.empty() : JoinMaterial.kubernetesVersion(cluster);
    }

    /**
     * Which running instances have a Ready Node, registered by their own kubelet (named as the instance); their Nodes
     * get the pool's labels, and the departed instances' Nodes go.
     */
    private Result observe(KubernetesClient tenant, Request request) {
        Map<String, Node> existing = nodesByName(tenant);
        Set<String> ready = new HashSet<>();
        Map<String, Instant> notReady = new HashMap<>();
        for (ProviderInstance instance : request.running()) {
            Node node = existing.get(instance.name());
            if (node == null || !NodeProof.isNodeOf(node, new NodeProof.Machine(instance.name(), instance.id()))) {
                continue;
            }
            node = labelled(tenant, node, request.nodeLabels());
            if (SimulatedNodeRenderer.isReady(node)) {
                ready.add(instance.name());
            } else {
                notReady.put(instance.name(), readyTransition(node).orElse(clock.instant()));
            }
        }
        Set<String> departedDone = removeDeparted(tenant, existing, request);
        int running = request.running().size();
        if (ready.size() == running) {
            return new Result(
                    true, "Registered", running + " Nodes registered and Ready", ready, departedDone, notReady);
        }
        return new Result(
                false,
                WAITING_FOR_NODES,
                ready.size() + " of " + running + " running instances have a Ready "
                        + "Node; the others' kubelets have not joined (or are not Ready)",
                ready,
                departedDone,
                notReady);
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
