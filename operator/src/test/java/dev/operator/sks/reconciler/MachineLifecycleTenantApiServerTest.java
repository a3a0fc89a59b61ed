package dev.operator.sks.reconciler;

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
import dev.operator.sks.provider.simulated.SimulatedNodeRenderer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.PodKubelet;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 13's "Show" on a real tenant: the whole operator in-process with the simulated provider, and the cluster's own
 * tenant API server with its kube-controller-manager and kube-scheduler ({@link TenantApiServer#withControllers}), so
 * the scheduler places pods, the disruption controller keeps a PodDisruptionBudget's status, and the node lifecycle
 * controller marks a Node whose heartbeats stopped not Ready. The drain is the operator's own. {@link PodKubelet}
 * plays the part of a kubelet the simulated Nodes lack (pods Running and Ready, terminating pods finalized).
 *
 * <p>What the tenant shows is watched with informers throughout, so a dip between two polls is seen too. The times
 * printed are not asserted.
 */
@SharedApiServer
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MachineLifecycleTenantApiServerTest {
    private static final String CLUSTER = "lifecycle";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static ClusterStandIn standIn;
    static TenantApiServer tenant;
    static TenantClients tenants;
    static KubernetesClient admin;
    static PodKubelet kubelet;

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
        namespace = ApiServerSupport.newNamespace(client, "lifecycle");
        standIn = ClusterStandIn.watch(client, namespace);
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s}
                spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
                """.formatted(CLUSTER));
        awaitCluster(c -> c.getStatus().state == ClusterState.Running);
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort)
                .withControllers(client, namespace, CLUSTER);
        tenants = new TenantClients(client, toTenant);
        admin = tenants.client(new ClusterKey(namespace, CLUSTER)).orElseThrow();
        kubelet = PodKubelet.start(admin, "web");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {kubelet, tenants, tenant, standIn, operator}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        client.close();
    }

    @Test
    @Order(1)
    void aPoolOfThreeMovesToTheNextMinorUnderADisruptionBudgetWithoutLosingAReadyNode() {
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: rolling}
                spec:
                  cluster: %s
                  size: 3
                  instanceType: standard.medium
                  drainTimeout: 2m
                  upgrade: {strategy: Replace, maxSurge: 1, maxUnavailable: 0}
                """.formatted(CLUSTER));
        Nodepool before = awaitNodepool(
                "rolling",
                np -> Integer.valueOf(3).equals(np.getStatus().readyNodes)
                        && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE));
        assertThat(before.getStatus().version).startsWith("1.33.");
        String poolId = before.getStatus().id;
        awaitTenantSawNodesReady(poolId, 3);

        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .build())
                .create();
        webDeployment(3);
        admin.resource(
                        new PodDisruptionBudgetBuilder() // policy/v1beta1: what a 1.20 tenant serves
                                .withNewMetadata()
                                .withName("web")
                                .withNamespace("web")
                                .endMetadata()
                                .withNewSpec()
                                .withNewMinAvailable(2)
                                .withNewSelector()
                                .addToMatchLabels("app", "web")
                                .endSelector()
                                .endSpec()
                                .build())
                .create();
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyWebPods())
                        .hasSize(3)
                        .extracting(p -> p.getSpec().getNodeName())
                        .as("one web pod on each Node")
                        .doesNotHaveDuplicates());
        List<String> oldMachines = machineNames(before);

        ReadyNodes readyNodes = ReadyNodes.watch(admin, poolId);
        kubelet.startCounting();
        long started = System.nanoTime();
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"version\":\"1.34\"}}");
        Nodepool after = await().atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> nodepool("rolling"),
                        np -> np.getStatus() != null
                                && np.getStatus().version != null
                                && np.getStatus().version.startsWith("1.34.")
                                && Integer.valueOf(3).equals(np.getStatus().updatedMachines)
                                && Integer.valueOf(3).equals(np.getStatus().readyNodes)
                                && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE)
                                && np.getStatus().draining.isEmpty()
                                && instancePool(np).getStatus().instances.size() == 3);
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        // The old machines' Nodes are gone once the pool reports them departed and done.
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(poolNodes(poolId)).hasSize(3));
        readyNodes.close();
        System.out.printf(
                "rolling replacement of 3 machines 1.33 -> 1.34 (maxSurge 1, maxUnavailable 0, PDB minAvailable 2 "
                        + "over 3 pods): %d s from the cluster's spec.version change; fewest Ready Nodes %d, most "
                        + "Nodes %d, fewest Ready web pods %d%n",
                seconds, readyNodes.fewest(), readyNodes.most(), kubelet.fewestReady());

        assertThat(machineNames(after)).doesNotContainAnyElementsOf(oldMachines);
        assertThat(poolNodes(poolId))
                .allSatisfy(n -> assertThat(n.getStatus().getNodeInfo().getKubeletVersion())
                        .startsWith("v1.34."));
        assertThat(readyNodes.fewest())
                .as("Ready Nodes of the pool, at every change the tenant's informer saw")
                .isGreaterThanOrEqualTo(3);
        assertThat(readyNodes.most())
                .as("never more than size + maxSurge Nodes")
                .isLessThanOrEqualTo(4);
        assertThat(kubelet.fewestReady())
                .as("Ready web pods under the budget, at every change the tenant's informer saw")
                .isGreaterThanOrEqualTo(2)
                .isLessThan(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyWebPods())
                        .hasSize(3)
                        .allSatisfy(p -> assertThat(oldMachines)
                                .doesNotContain(p.getSpec().getNodeName())));
        assertThat(tenant.controllersExited()).isEmpty();
    }

    /**
     * Opt-in ({@code -Dbenchmark=true}), as the benchmarks are: its waits are the tenant's node-monitor grace period and
     * the pool's {@code unhealthyAfter}, twice over, some three minutes even on a quiet machine. What it rests on is
     * always tested: the decisions in {@code MachineLifecycleTest}, the stopped heartbeats turning a tenant Node not
     * Ready in {@code NodeDrainTenantApiServerTest}, the 10 s look at such a pool in {@code NodeTrackingTest}.
     */
    @Test
    @Order(2)
    @EnabledIfSystemProperty(named = "benchmark", matches = "true")
    void aStoppedMachineIsRepairedAndHalfThePoolStoppedIsNotButSaysWhy() {
        apply("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: repaired}
                spec:
                  cluster: %s
                  size: 4
                  instanceType: standard.medium
                  drainTimeout: 1m
                  autoRepair: {unhealthyAfter: 30s, maxUnhealthy: 40%%}
                """.formatted(CLUSTER));
        Nodepool four = awaitNodepool(
                "repaired",
                np -> Integer.valueOf(4).equals(np.getStatus().readyNodes)
                        && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE));
        String poolId = four.getStatus().id;
        awaitTenantSawNodesReady(poolId, 4);
        List<String> machines = machineNames(four).stream().sorted().toList();
        String stopped = machines.get(0);

        long stoppedAt = System.nanoTime();
        stopHeartbeats(four, stopped);
        Nodepool repaired = await().atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> nodepool("repaired"),
                        np -> !machineNames(np).contains(stopped)
                                && machineNames(np).size() == 4
                                && Integer.valueOf(4).equals(np.getStatus().readyNodes));
        long repairSeconds = Duration.ofNanos(System.nanoTime() - stoppedAt).toSeconds();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(poolNodes(poolId))
                        .hasSize(4)
                        .allSatisfy(n ->
                                assertThat(SimulatedNodeRenderer.isReady(n)).isTrue())
                        .noneMatch(n -> stopped.equals(n.getMetadata().getName())));
        System.out.printf(
                "auto-repair (unhealthyAfter 30 s, node-monitor-grace-period 40 s): %s replaced %d s after its "
                        + "heartbeats stopped%n",
                stopped, repairSeconds);
        assertThat(Conditions.isTrue(repaired.getStatus().conditions, Conditions.AUTO_REPAIR))
                .isTrue();
        awaitEvent("repaired", "RepairingMachine");
        awaitEvent("repaired", "MachineRepaired");

        // Half the pool stops: more than maxUnhealthy (40 % of 4, so 1) at once, and none is replaced.
        List<String> survivors = machineNames(repaired).stream().sorted().toList();
        List<String> half = survivors.subList(0, 2);
        long halfStoppedAt = System.nanoTime();
        stopHeartbeats(repaired, String.join(",", half));
        Nodepool refused = awaitNodepool(
                "repaired",
                np -> Conditions.find(np.getStatus().conditions, Conditions.AUTO_REPAIR)
                        .filter(c -> "False".equals(c.getStatus()) && "TooManyUnhealthy".equals(c.getReason()))
                        .isPresent(),
                Duration.ofSeconds(240));
        long heldBackSeconds =
                Duration.ofNanos(System.nanoTime() - halfStoppedAt).toSeconds();
        String message = Conditions.find(refused.getStatus().conditions, Conditions.AUTO_REPAIR)
                .orElseThrow()
                .getMessage();
        System.out.printf(
                "auto-repair held back %d s after half the pool's heartbeats stopped: AutoRepair=False, reason "
                        + "TooManyUnhealthy, message \"%s\"%n",
                heldBackSeconds, message);
        assertThat(message).contains(half.get(0), half.get(1));
        // Nothing was drained nor replaced: the same four machines, the two stopped ones among them.
        assertThat(machineNames(refused)).containsExactlyInAnyOrderElementsOf(survivors);
        assertThat(refused.getStatus().draining).isEmpty();
        assertThat(poolNodes(poolId))
                .extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(survivors);
        assertThat(tenant.controllersExited()).isEmpty();
    }

    /** The Ready Nodes of one pool as the tenant's informer sees them, the fewest and the most Nodes kept. */
    static final class ReadyNodes implements AutoCloseable {
        private final Map<String, Boolean> nodes = new ConcurrentHashMap<>();
        private final AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
        private final AtomicInteger most = new AtomicInteger(0);
        private final SharedIndexInformer<Node> informer;

        private ReadyNodes(KubernetesClient tenant, String poolId) {
            this.informer = tenant.nodes().withLabel(Labels.NODEPOOL_ID, poolId).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Node node) {
                    seen(node);
                }

                @Override
                public void onUpdate(Node old, Node node) {
                    seen(node);
                }

                @Override
                public void onDelete(Node node, boolean unknown) {
                    nodes.remove(node.getMetadata().getName());
                    count();
                }
            });
        }

        static ReadyNodes watch(KubernetesClient tenant, String poolId) {
            ReadyNodes watching = new ReadyNodes(tenant, poolId);
            await().atMost(Duration.ofSeconds(30)).until(watching.informer::hasSynced);
            watching.count();
            return watching;
        }

        private void seen(Node node) {
            nodes.put(node.getMetadata().getName(), SimulatedNodeRenderer.isReady(node));
            count();
        }

        private synchronized void count() {
            // Before the first list is in, a partial count would read as a dip.
            if (informer == null || !informer.hasSynced()) {
                return;
            }
            int ready = (int) nodes.values().stream().filter(r -> r).count();
            fewest.accumulateAndGet(ready, Math::min);
            most.accumulateAndGet(nodes.size(), Math::max);
        }

        int fewest() {
            return fewest.get();
        }

        int most() {
            return most.get();
        }

        @Override
        public void close() {
            informer.close();
        }
    }

    private static void stopHeartbeats(Nodepool nodepool, String instances) {
        ApiServerSupport.edit(
                client.resources(InstancePool.class).inNamespace(namespace).withName(nodepool.getStatus().instancePool),
                p -> {
                    if (p.getMetadata().getAnnotations() == null) {
                        p.getMetadata().setAnnotations(new HashMap<>());
                    }
                    p.getMetadata().getAnnotations().put(Labels.STOP_HEARTBEATS_ANNOTATION, instances);
                    return p;
                });
    }

    /** The tenant's node lifecycle controller has seen the pool's Nodes Ready and lifted its not-ready taints. */
    private static void awaitTenantSawNodesReady(String poolId, int count) {
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(poolNodes(poolId))
                        .hasSize(count)
                        .allSatisfy(n -> assertThat(n.getSpec().getTaints())
                                .noneMatch(t -> t.getKey().startsWith("node.kubernetes.io/")
                                        || t.getKey().startsWith("node.cloudprovider.kubernetes.io/"))));
    }

    private static void webDeployment(int replicas) {
        admin.apps()
                .deployments()
                .inNamespace("web")
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(replicas)
                        .withNewSelector()
                        .addToMatchLabels("app", "web")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "web")
                        .endMetadata()
                        .withNewSpec()
                        // Spread over the Nodes, as a replicated service is: preferred, so a pod is never left
                        // Pending while Nodes come and go.
                        .withNewAffinity()
                        .withNewPodAntiAffinity()
                        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                        .withWeight(100)
                        .withNewPodAffinityTerm()
                        .withTopologyKey(SimulatedNodeRenderer.HOSTNAME_LABEL)
                        .withNewLabelSelector()
                        .addToMatchLabels("app", "web")
                        .endLabelSelector()
                        .endPodAffinityTerm()
                        .endPreferredDuringSchedulingIgnoredDuringExecution()
                        .endPodAntiAffinity()
                        .endAffinity()
                        .addNewContainer()
                        .withName("web")
                        .withImage("registry.k8s.io/pause:3.9")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
    }

    private static List<Pod> readyWebPods() {
        return admin.pods().inNamespace("web").withLabel("app", "web").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && PodKubelet.isReady(p))
                .toList();
    }

    private static List<Node> poolNodes(String poolId) {
        return admin.nodes().withLabel(Labels.NODEPOOL_ID, poolId).list().getItems();
    }

    private static List<String> machineNames(Nodepool nodepool) {
        return instancePool(nodepool).getStatus().instances.stream()
                .map(i -> i.name)
                .toList();
    }

    private static InstancePool instancePool(Nodepool nodepool) {
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private static Nodepool nodepool(String name) {
        return client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        return awaitNodepool(name, condition, Duration.ofSeconds(120));
    }

    private static Nodepool awaitNodepool(String name, Predicate<Nodepool> condition, Duration atMost) {
        return await().atMost(atMost)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> nodepool(name), np -> np != null && np.getStatus() != null && condition.test(np));
    }

    private static SKSCluster awaitCluster(Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null && c.getStatus() != null && condition.test(c));
    }

    private static void awaitEvent(String involved, String reason) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(namespace)
                                .list()
                                .getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getInvolvedObject().getName()).isEqualTo(involved);
                            assertThat(e.getReason()).isEqualTo(reason);
                        }));
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
