package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.tenant.NodeDrains.Drained;
import dev.operator.sks.tenant.NodeDrains.Draining;
import dev.operator.sks.tenant.NodeDrains.Progress;
import dev.operator.sks.tenant.NodeDrains.TimedOut;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Drains against a real tenant that runs the cluster's own kube-controller-manager and kube-scheduler (v1.20.2, as
 * the operator rendered them, {@link TenantApiServer#withControllers}), on three Nodes the simulated provider
 * registers and keeps alive for a Nodepool.
 *
 * <p>No kubelet runs the pods the scheduler binds to those Nodes, so this test plays that part of the kubelet
 * ({@link #fakeKubelet}): a pod bound to a Node is marked Running and Ready at once, and a terminating pod (one the
 * Eviction API deleted with its grace period) is finalized with grace period 0, as a kubelet does once the container
 * stopped. Without it, no pod would ever count as available for a PodDisruptionBudget, and an evicted pod would stay
 * Terminating forever.
 */
@SharedApiServer
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeDrainTenantApiServerTest {
    private static final String CLUSTER = "drain-host";
    private static final String POOL = "workers";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static ClusterStandIn standIn;
    static TenantApiServer tenant;
    static TenantClients tenants;
    static KubernetesClient admin;
    static SharedIndexInformer<Pod> kubelet;
    static ClusterKey key;

    /** Ready, not terminating pods of the tracked app, by uid, as the informer saw them. */
    static final Map<String, Pod> trackedPods = new ConcurrentHashMap<>();

    static final AtomicReference<String> trackedApp = new AtomicReference<>("");
    static final AtomicInteger minHealthy = new AtomicInteger(Integer.MAX_VALUE);

    @BeforeAll
    static void startOperatorClusterAndTenant() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        int tenantPort = TlsTestSupport.freeLoopbackPort();
        TenantClients.ServerOverride toTenant = TenantApiServer.servingOn(tenantPort);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(OperatorConfig.parse(
                        new String[] {"--http-port=0", "--simulated-instance-delay=PT0S"}, Map.of())),
                new SimpleMeterRegistry(),
                toTenant);
        namespace = ApiServerSupport.newNamespace(client, "drain");
        key = new ClusterKey(namespace, CLUSTER);
        standIn = ClusterStandIn.watch(client, namespace);
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s}
                spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
                """.formatted(CLUSTER));
        await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running);
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort)
                .withControllers(client, namespace, CLUSTER);
        tenants = new TenantClients(client, toTenant);
        admin = tenants.client(key).orElseThrow();
        kubelet = fakeKubelet(admin);
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: %s}
                spec: {cluster: %s, size: 3, instanceType: standard.medium}
                """.formatted(POOL, CLUSTER));
        await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName(POOL)
                                .get(),
                        np -> np.getStatus() != null && Integer.valueOf(3).equals(np.getStatus().readyNodes));
        // The tenant's own node lifecycle controller has seen them Ready and lifted its not-ready taint.
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(poolNodes())
                        .hasSize(3)
                        .allSatisfy(n -> assertThat(n.getSpec().getTaints())
                                .noneMatch(t -> t.getKey().startsWith("node.kubernetes.io/")
                                        || t.getKey().startsWith("node.cloudprovider.kubernetes.io/"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kubelet != null) {
            kubelet.close();
        }
        if (tenants != null) {
            tenants.close();
        }
        if (tenant != null) {
            tenant.close();
        }
        if (standIn != null) {
            standIn.close();
        }
        operator.close();
        client.close();
    }

    @Test
    @Order(1)
    void aDrainedNodeIsCordonedAndItsPodsMoveWithoutBreakingTheDisruptionBudget() {
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .build())
                .create();
        // Two of the three web pods share a Node (the third Node is cordoned while they are placed): draining it, the
        // budget must hold the second eviction until the first pod's replacement is ready.
        String spare = poolNodes().get(2).getMetadata().getName();
        ApiServerSupport.edit(admin.nodes().withName(spare), n -> {
            n.getSpec().setUnschedulable(true);
            return n;
        });
        deployment("web", "web", 3);
        pdb("web", "web", 2);
        admin.apps()
                .daemonSets()
                .inNamespace("web")
                .resource(new DaemonSetBuilder()
                        .withNewMetadata()
                        .withName("agent")
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .addToMatchLabels("app", "agent")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "agent")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("agent")
                        .withImage("registry.k8s.io/pause:3.9")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            assertThat(readyPods("web", "web")).hasSize(3);
            assertThat(readyPods("web", "agent")).hasSize(3);
            assertThat(pdbStatus("web").getCurrentHealthy()).isEqualTo(3);
        });
        uncordon(spare);
        String node = readyPods("web", "web").stream()
                .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(), Collectors.counting()))
                .entrySet()
                .stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        assertThat(podUids("web", "web", node)).hasSize(2);
        Set<String> agentsBefore = podUids("web", "agent", node);
        assertThat(agentsBefore).hasSize(1);
        minHealthy.set(Integer.MAX_VALUE);
        trackedApp.set("web");

        try (TenantNodeDrains drains = new TenantNodeDrains(tenants, java.time.Clock.systemUTC())) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
            long started = System.nanoTime();
            List<String> details = new java.util.concurrent.CopyOnWriteArrayList<>();
            Progress done = await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> {
                                Progress p = drains.drain(key, node, deadline);
                                if (p instanceof Draining d) {
                                    details.add(d.detail());
                                }
                                return p;
                            },
                            Progress::done);
            assertThat(done).isInstanceOf(Drained.class);
            // A figure, not an assertion: how long two pods under a minAvailable 2 budget took to move.
            System.out.printf(
                    "drain of %s (2 web pods, PDB minAvailable 2): %d s%n",
                    node, Duration.ofNanos(System.nanoTime() - started).toSeconds());
            // The first pass evicted one web pod and the budget refused the second (HTTP 429), retried later.
            assertThat(details).anySatisfy(d -> assertThat(d).contains("held by a PodDisruptionBudget: web/web-"));
            // Asking again is idempotent: still drained, with no new pass.
            assertThat(drains.drain(key, node, deadline)).isInstanceOf(Drained.class);
        } finally {
            trackedApp.set("");
        }
        assertThat(admin.nodes().withName(node).get().getSpec().getUnschedulable())
                .isTrue();
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyPods("web", "web"))
                        .hasSize(3)
                        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotEqualTo(node)));
        // Never fewer than two web pods ready and not terminating, as the informer saw every change.
        assertThat(minHealthy.get()).isGreaterThanOrEqualTo(2).isLessThan(Integer.MAX_VALUE);
        assertThat(podUids("web", "agent", node)).isEqualTo(agentsBefore);
        uncordon(node);
    }

    @Test
    @Order(2)
    void aDrainThatADisruptionBudgetBlocksTimesOutAtItsDeadline() {
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("held")
                        .endMetadata()
                        .build())
                .create();
        deployment("held", "held", 3);
        pdb("held", "held", 3);
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyPods("held", "held")).hasSize(3));
        String node = readyPods("held", "held").get(0).getSpec().getNodeName();
        MutableClock clock = new MutableClock();
        try (TenantNodeDrains drains = new TenantNodeDrains(tenants, clock)) {
            Instant deadline = clock.instant().plus(Duration.ofMinutes(10));
            Progress blocked = await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> drains.drain(key, node, deadline),
                            p -> p instanceof Draining d && d.detail().contains("held by a PodDisruptionBudget"));
            assertThat(((Draining) blocked).podsLeft()).isPositive();
            assertThat(((Draining) blocked).detail()).contains("held/held-");
            clock.advance(Duration.ofMinutes(11));
            Progress timedOut = drains.drain(key, node, deadline);
            assertThat(timedOut).isInstanceOf(TimedOut.class);
            assertThat(((TimedOut) timedOut).podsLeft()).isPositive();
            assertThat(((TimedOut) timedOut).detail())
                    .startsWith("the drain deadline passed: ")
                    .contains("held by a PodDisruptionBudget");
            // Final: the machine may go, and the answer stays until the caller forgets it.
            assertThat(drains.drain(key, node, deadline.plus(Duration.ofHours(1))))
                    .isEqualTo(timedOut);
            drains.forget(key, node);
            assertThat(drains.size()).isZero();
        }
        assertThat(readyPods("held", "held")).hasSize(3);
        uncordon(node);
    }

    @Test
    @Order(3)
    void aNodeThatIsGoneIsDrained() {
        try (TenantNodeDrains drains = new TenantNodeDrains(tenants, new MutableClock())) {
            Progress done = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> drains.drain(
                                    key, "no-such-node", Instant.now().plus(Duration.ofMinutes(5))),
                            Progress::done);
            assertThat(done).isInstanceOf(Drained.class);
        }
    }

    @Test
    @Order(4)
    void anUnreachableTenantKeepsTheDrainGoingAndSaysWhy() {
        ClusterKey nowhere = new ClusterKey(namespace, "no-such-cluster");
        try (TenantNodeDrains drains = new TenantNodeDrains(tenants, new MutableClock())) {
            Progress waiting = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> drains.drain(nowhere, "node", Instant.now().plus(Duration.ofMinutes(5))),
                            p -> p instanceof Draining d && d.detail().contains("no admin kubeconfig"));
            assertThat(waiting.done()).isFalse();
        }
    }

    @Test
    @Order(5)
    void aTenantThatRefusesConnectionsIsRetriedAndSaidSo() throws Exception {
        int closed = TlsTestSupport.freeLoopbackPort();
        try (TenantClients refusing = new TenantClients(client, (k, server) -> "https://127.0.0.1:" + closed);
                TenantNodeDrains drains = new TenantNodeDrains(refusing, new MutableClock())) {
            String node = poolNodes().get(0).getMetadata().getName();
            Progress waiting = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> drains.drain(key, node, Instant.now().plus(Duration.ofMinutes(5))),
                            p -> p instanceof Draining d && d.detail().contains("refuses connections"));
            assertThat(((Draining) waiting).detail()).contains("retrying every 5 s");
        }
    }

    @Test
    @Order(6)
    void stoppedHeartbeatsLetTheTenantsNodeLifecycleControllerMarkTheNodeNotReady() {
        InstancePool pool = instancePool();
        List<String> instances =
                pool.getStatus().instances.stream().map(i -> i.name).sorted().toList();
        assertThat(instances).hasSize(3);
        String stopped = instances.get(0);
        ApiServerSupport.edit(
                client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .withName(pool.getMetadata().getName()),
                p -> {
                    if (p.getMetadata().getAnnotations() == null) {
                        p.getMetadata().setAnnotations(new java.util.HashMap<>());
                    }
                    p.getMetadata().getAnnotations().put(Labels.STOP_HEARTBEATS_ANNOTATION, stopped);
                    return p;
                });
        long stoppedAt = System.nanoTime();
        // kube-controller-manager's node lifecycle controller, not the operator, says so: Ready=Unknown.
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(readyStatus(stopped)).isEqualTo("Unknown"));
        System.out.printf(
                "heartbeats of %s stopped: Ready=Unknown after %d s (node-monitor-grace-period 40 s)%n",
                stopped, Duration.ofNanos(System.nanoTime() - stoppedAt).toSeconds());
        assertThat(admin.nodes().withName(stopped).get().getStatus().getConditions())
                .filteredOn(c -> "Ready".equals(c.getType()))
                .extracting(NodeCondition::getReason)
                .containsExactly("NodeStatusUnknown");
        assertThat(instances.subList(1, 3))
                .allSatisfy(other ->
                        assertThat(readyStatus(other)).as("Ready of " + other).isEqualTo("True"));
        assertThat(tenant.controllersExited()).isEmpty();

        // Dropping the switch starts the kubelet again: Ready once more.
        ApiServerSupport.edit(
                client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .withName(pool.getMetadata().getName()),
                p -> {
                    p.getMetadata().getAnnotations().remove(Labels.STOP_HEARTBEATS_ANNOTATION);
                    return p;
                });
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(readyStatus(stopped)).isEqualTo("True"));
    }

    /**
     * The part of a kubelet the simulated Nodes lack: pods bound to a Node become Running and Ready, and terminating
     * pods are finalized. Also tracks the fewest Ready, not terminating pods of {@link #trackedApp}.
     */
    private static SharedIndexInformer<Pod> fakeKubelet(KubernetesClient tenant) {
        return tenant.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                handle(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                handle(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                trackedPods.remove(pod.getMetadata().getUid());
                track();
            }

            private void handle(Pod pod) {
                if (isReady(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
                    trackedPods.put(pod.getMetadata().getUid(), pod);
                } else {
                    trackedPods.remove(pod.getMetadata().getUid());
                }
                track();
                try {
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                        tenant.pods()
                                .inNamespace(pod.getMetadata().getNamespace())
                                .withName(pod.getMetadata().getName())
                                .withGracePeriod(0)
                                .delete();
                    } else if (pod.getSpec().getNodeName() != null && !isReady(pod)) {
                        runs(tenant, pod);
                    }
                } catch (KubernetesClientException gone) {
                    // Deleted or changed meanwhile: the next event tells.
                }
            }
        });
    }

    private static void track() {
        String app = trackedApp.get();
        if (app.isEmpty()) {
            return;
        }
        int healthy = (int) trackedPods.values().stream()
                .filter(p -> app.equals(p.getMetadata().getLabels().get("app")))
                .count();
        minHealthy.accumulateAndGet(healthy, Math::min);
    }

    private static void runs(KubernetesClient tenant, Pod pod) {
        String now = Instant.now().toString();
        List<PodCondition> conditions = List.of("PodScheduled", "Initialized", "ContainersReady", "Ready").stream()
                .map(type -> new PodConditionBuilder()
                        .withType(type)
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build())
                .toList();
        pod.getStatus().setPhase("Running");
        pod.getStatus().setConditions(conditions);
        pod.getStatus().setStartTime(now);
        tenant.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .updateStatus();
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<Pod> readyPods(String ns, String app) {
        return admin.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && isReady(p))
                .toList();
    }

    private static Set<String> podUids(String ns, String app, String node) {
        return admin.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .map(p -> p.getMetadata().getUid())
                .collect(Collectors.toSet());
    }

    private static void deployment(String ns, String app, int replicas) {
        admin.apps()
                .deployments()
                .inNamespace(ns)
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName(app)
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(replicas)
                        .withNewSelector()
                        .addToMatchLabels("app", app)
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", app)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName(app)
                        .withImage("registry.k8s.io/pause:3.9")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
    }

    /** policy/v1beta1: what a 1.20 tenant serves. */
    private static void pdb(String ns, String app, int minAvailable) {
        admin.resource(new PodDisruptionBudgetBuilder()
                        .withNewMetadata()
                        .withName(app)
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .withNewMinAvailable(minAvailable)
                        .withNewSelector()
                        .addToMatchLabels("app", app)
                        .endSelector()
                        .endSpec()
                        .build())
                .create();
    }

    private static io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetStatus pdbStatus(String ns) {
        PodDisruptionBudget pdb = admin.resources(PodDisruptionBudget.class)
                .inNamespace(ns)
                .withName(ns)
                .get();
        return Optional.ofNullable(pdb.getStatus())
                .orElseGet(io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetStatus::new);
    }

    private static void uncordon(String node) {
        ApiServerSupport.edit(admin.nodes().withName(node), n -> {
            n.getSpec().setUnschedulable(null);
            return n;
        });
    }

    private static String readyStatus(String node) {
        return admin.nodes().withName(node).get().getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus)
                .findFirst()
                .orElse("none");
    }

    private static List<Node> poolNodes() {
        return instancePool().getStatus().instances.stream()
                .map(i -> admin.nodes().withName(i.name).get())
                .filter(n -> n != null)
                .toList();
    }

    private static InstancePool instancePool() {
        Nodepool nodepool = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(POOL)
                .get();
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
