package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
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
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated provider plays its instances' kubelets: Nodes appear in a real tenant kube-apiserver (started with the
 * cluster's PKI) for the running instances and go with them, with heartbeat Leases that are renewed, and the Nodepool
 * counts them; an unreachable tenant leaves the pool running without nodes and says why.
 */
@SharedApiServer
class NodepoolNodesTenantApiServerTest {
    private static final String CLUSTER = "pool-host";
    private static final String LOAD_BALANCER_POOL = "198.51.100.0/30";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static ClusterStandIn kubelet;
    static int tenantPort;
    static TenantClients.ServerOverride toTenant;

    @BeforeAll
    static void startOperatorAndCluster() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        // The port is fixed before the cluster's PKI exists, so the operator can be told where its tenant will answer.
        tenantPort = TlsTestSupport.freeLoopbackPort();
        toTenant = TenantApiServer.servingOn(tenantPort);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(OperatorConfig.parse(
                        new String[] {
                            "--http-port=0",
                            "--simulated-instance-delay=PT0S",
                            // Two addresses, so the test can run out of them.
                            "--simulated-load-balancer-addresses=" + LOAD_BALANCER_POOL
                        },
                        Map.of())),
                new SimpleMeterRegistry(),
                toTenant);
        namespace = ApiServerSupport.newNamespace(client, "nodes");
        kubelet = ClusterStandIn.watch(client, namespace);
        apply(ControlPlaneApiServerTest.cluster(CLUSTER, "1.33", "ClusterIP"));
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running);
    }

    @AfterAll
    static void stop() {
        kubelet.close();
        operator.close();
        client.close();
    }

    @Test
    void runningInstancesGetReadyNodesThatGoWithThem() throws Exception {
        // No tenant API server yet: the pool still runs, without nodes, and says why.
        apply(NodepoolApiServerTest.nodepool("early", 1, "standard.medium"));
        Nodepool early = awaitNodepool("early", np -> np.getStatus().state == PoolState.Running);
        InstancePool unregistered = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> instancePool(early),
                        p -> Conditions.find(p.getStatus().conditions, Conditions.NODES_REGISTERED)
                                .filter(c -> "TenantUnreachable".equals(c.getReason()))
                                .isPresent());
        assertThat(unregistered.getStatus().state).isEqualTo(PoolState.Running);
        assertThat(unregistered.getStatus().instances)
                .singleElement()
                .satisfies(i -> assertThat(i.nodeName).isNull());
        assertThat(early.getStatus().readyNodes).isZero();
        Nodepool unreachable = awaitNodepool(
                "early",
                np -> Conditions.find(np.getStatus().conditions, Conditions.READY)
                        .filter(c -> "TenantUnreachable".equals(c.getReason()))
                        .isPresent());
        assertThat(Conditions.isTrue(unreachable.getStatus().conditions, Conditions.READY))
                .isFalse();
        assertThat(unreachable.getStatus().state).isEqualTo(PoolState.Running);

        try (TenantApiServer tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort);
                TenantClients tenants = new TenantClients(client, toTenant)) {
            KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();

            apply(NodepoolApiServerTest.nodepool("workers", 3, "standard.medium"));
            Nodepool three = awaitNodepool("workers", np -> Integer.valueOf(3).equals(np.getStatus().readyNodes));
            assertThat(Conditions.isTrue(three.getStatus().conditions, Conditions.READY))
                    .isTrue();
            List<Node> nodes = nodesOf(admin, three);
            assertThat(nodes)
                    .extracting(n -> n.getMetadata().getName())
                    .containsExactlyInAnyOrderElementsOf(instancePool(three).getStatus().instances.stream()
                            .map(i -> i.nodeName)
                            .toList());
            assertThat(nodes).hasSize(3).allSatisfy(node -> {
                assertThat(node.getMetadata().getLabels())
                        .containsEntry("role", "worker")
                        .containsEntry(Labels.NODEPOOL_ID, three.getStatus().id)
                        .containsEntry("node.kubernetes.io/instance-type", "standard.medium");
                // node.kubernetes.io/* taints are the tenant control plane's (admission adds not-ready on create).
                assertThat(node.getSpec().getTaints())
                        .filteredOn(t -> !t.getKey().startsWith("node.kubernetes.io/"))
                        .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                        .containsExactly("env=demo:NoSchedule");
                assertThat(node.getStatus().getCapacity().get("cpu")).isEqualTo(new Quantity("2"));
                assertThat(Quantity.getAmountInBytes(
                                        node.getStatus().getCapacity().get("memory"))
                                .longValue())
                        .isEqualTo(4L << 30);
                assertThat(SimulatedNodeRenderer.isReady(node)).isTrue();
            });
            assertThat(Conditions.isTrue(instancePool(three).getStatus().conditions, Conditions.NODES_REGISTERED))
                    .isTrue();
            // The simulated cloud controller initialized each Node: the uninitialized taint is gone (above), and the
            // machine is named, addressed and placed.
            InstancePool threePool = instancePool(three);
            assertThat(nodes).allSatisfy(node -> {
                Instance machine = threePool.getStatus().instances.stream()
                        .filter(i -> i.name.equals(node.getMetadata().getName()))
                        .findFirst()
                        .orElseThrow();
                assertThat(node.getSpec().getProviderID())
                        .isEqualTo("simulated://" + threePool.getMetadata().getName() + "/" + machine.id);
                assertThat(node.getStatus().getAddresses())
                        .extracting(a -> a.getType() + "=" + a.getAddress())
                        .containsExactly("InternalIP=" + machine.addresses.get(0), "Hostname=" + machine.name);
                assertThat(node.getMetadata().getLabels())
                        .containsEntry("topology.kubernetes.io/zone", "ch-gva-2")
                        .containsEntry("topology.kubernetes.io/region", "ch-gva-2");
            });

            // Nodepool labels reach the existing Nodes; a label somebody else set stays through every change.
            String labelled = nodes.get(0).getMetadata().getName();
            ApiServerSupport.edit(admin.nodes().withName(labelled), n -> {
                n.getMetadata().getLabels().put("owner", "ops");
                return n;
            });
            // Added: tier.
            awaitLabels(admin, three, Map.of("role", "worker", "tier", "gold"), Set.of());
            // Changed: tier; removed: role, which the kubelets registered with too (the operator removes it itself).
            awaitLabels(admin, three, Map.of("tier", "silver"), Set.of("role"));
            // Removed: tier, which only the operator ever set (server-side apply removes it).
            awaitLabels(admin, three, Map.of(), Set.of("role", "tier"));
            assertThat(admin.nodes().withName(labelled).get().getMetadata().getLabels())
                    .containsEntry("owner", "ops");

            // A Node someone else made with the pool's id label is not the pool's: scaling down leaves it.
            admin.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName("impostor")
                            .addToLabels(Labels.NODEPOOL_ID, three.getStatus().id)
                            .endMetadata()
                            .build())
                    .create();

            // Each Node gets the heartbeat Lease its kubelet would keep, and it is renewed.
            Map<String, Instant> firstBeats = await().atMost(Duration.ofSeconds(30))
                    .until(() -> renewTimes(admin, nodes), beats -> beats.size() == 3);
            assertThat(nodes)
                    .allSatisfy(
                            node -> assertThat(lease(admin, node.getMetadata().getName())
                                            .getMetadata()
                                            .getOwnerReferences())
                                    .singleElement()
                                    .satisfies(owner -> assertThat(owner.getUid())
                                            .isEqualTo(node.getMetadata().getUid())));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(renewTimes(admin, nodes))
                            .allSatisfy((node, renewed) -> assertThat(renewed).isAfter(firstBeats.get(node))));

            client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .withName("workers")
                    .scale(1);
            Nodepool one = awaitNodepool(
                    "workers",
                    np -> Integer.valueOf(1).equals(np.getStatus().size)
                            && Integer.valueOf(1).equals(np.getStatus().readyNodes));
            String remaining = instancePool(one).getStatus().instances.get(0).name;
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(nodesOf(admin, one))
                            .extracting(n -> n.getMetadata().getName())
                            .containsExactlyInAnyOrder(remaining, "impostor"));
            // Once their Nodes are gone, the pool keeps no departed instances.
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(instancePool(one).getStatus().departed).isEmpty());
            assertThat(nodes)
                    .extracting(n -> n.getMetadata().getName())
                    .filteredOn(name -> !name.equals(remaining))
                    .allSatisfy(gone -> assertThat(lease(admin, gone))
                            .as("the Lease of " + gone)
                            .isNull());

            loadBalancerServicesGetAddressesFromThePool(admin);

            // The early pool's backoff ends and its node registers too, now that the tenant answers.
            awaitNodepool(
                    "early",
                    np -> Integer.valueOf(1).equals(np.getStatus().readyNodes)
                            && Conditions.isTrue(np.getStatus().conditions, Conditions.READY));
        }
    }

    /**
     * The simulated service controller gives LoadBalancer Services the pool's addresses, each stable for its Service,
     * released when the Service changes type or is deleted; with the pool exhausted a Service waits and is told why.
     */
    private static void loadBalancerServicesGetAddressesFromThePool(KubernetesClient admin) {
        createLoadBalancer(admin, "web");
        assertThat(awaitIngress(admin, "web")).isEqualTo("198.51.100.1");
        createLoadBalancer(admin, "api");
        assertThat(awaitIngress(admin, "api")).isEqualTo("198.51.100.2");

        createLoadBalancer(admin, "third");
        Event exhausted = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> admin.v1().events().inNamespace("default").list().getItems().stream()
                                .filter(e ->
                                        "third".equals(e.getInvolvedObject().getName()))
                                .findFirst()
                                .orElse(null),
                        e -> e != null);
        assertThat(exhausted.getType()).isEqualTo("Warning");
        assertThat(exhausted.getReason()).isEqualTo("AddressPoolExhausted");
        assertThat(exhausted.getMessage()).contains(LOAD_BALANCER_POOL);
        assertThat(ingress(admin, "third")).isEmpty();

        // web is a LoadBalancer no more: its address goes to the Service that waited.
        ApiServerSupport.edit(admin.services().inNamespace("default").withName("web"), s -> {
            s.getSpec().setType("ClusterIP");
            s.getSpec().getPorts().forEach(p -> p.setNodePort(null));
            return s;
        });
        assertThat(awaitIngress(admin, "third")).isEqualTo("198.51.100.1");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ingress(admin, "web")).isEmpty());

        // A deleted Service's address is free again; the others keep theirs.
        admin.services().inNamespace("default").withName("api").delete();
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        admin.services().inNamespace("default").withName("api").get() == null);
        createLoadBalancer(admin, "fourth");
        assertThat(awaitIngress(admin, "fourth")).isEqualTo("198.51.100.2");
        assertThat(ingress(admin, "third")).containsExactly("198.51.100.1");
    }

    private static void createLoadBalancer(KubernetesClient admin, String name) {
        admin.services()
                .inNamespace("default")
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .withType("LoadBalancer")
                        .addToSelector("app", name)
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
    }

    private static List<String> ingress(KubernetesClient admin, String service) {
        Service current =
                admin.services().inNamespace("default").withName(service).get();
        return current.getStatus() == null
                        || current.getStatus().getLoadBalancer() == null
                        || current.getStatus().getLoadBalancer().getIngress() == null
                ? List.of()
                : current.getStatus().getLoadBalancer().getIngress().stream()
                        .map(i -> i.getIp())
                        .toList();
    }

    private static String awaitIngress(KubernetesClient admin, String service) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> ingress(admin, service), ips -> !ips.isEmpty())
                .get(0);
    }

    /** Sets the nodepool's labels and waits until its three Nodes carry them, and none of {@code absent}. */
    private static void awaitLabels(
            KubernetesClient admin, Nodepool nodepool, Map<String, String> labels, Set<String> absent) {
        setLabels(nodepool.getMetadata().getName(), labels);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(nodesOf(admin, nodepool))
                        .hasSize(3)
                        .allSatisfy(node -> assertThat(node.getMetadata().getLabels())
                                .containsAllEntriesOf(labels)
                                .doesNotContainKeys(absent.toArray(String[]::new))));
    }

    private static void setLabels(String nodepool, Map<String, String> labels) {
        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName(nodepool), np -> {
                    np.getSpec().labels = new HashMap<>(labels);
                    return np;
                });
    }

    private static Lease lease(KubernetesClient admin, String node) {
        return admin.leases()
                .inNamespace(SimulatedNodeRenderer.NODE_LEASE_NAMESPACE)
                .withName(node)
                .get();
    }

    private static Map<String, Instant> renewTimes(KubernetesClient admin, List<Node> nodes) {
        Map<String, Instant> renewed = new HashMap<>();
        for (Node node : nodes) {
            Lease lease = lease(admin, node.getMetadata().getName());
            if (lease != null) {
                renewed.put(
                        node.getMetadata().getName(),
                        lease.getSpec().getRenewTime().toInstant());
            }
        }
        return renewed;
    }

    private static List<Node> nodesOf(KubernetesClient admin, Nodepool nodepool) {
        return admin.nodes()
                .withLabel(Labels.NODEPOOL_ID, nodepool.getStatus().id)
                .list()
                .getItems();
    }

    private static InstancePool instancePool(Nodepool nodepool) {
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        np -> np != null && np.getStatus() != null && condition.test(np));
    }
}
