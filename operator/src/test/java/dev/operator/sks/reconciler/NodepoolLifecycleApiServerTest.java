package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.events.KubernetesEventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.NodeTrust;
import dev.operator.sks.provider.simulated.SimulatedProvider;
import dev.operator.sks.reconciler.instancepool.InstancePoolReconciler;
import dev.operator.sks.reconciler.nodepool.NodepoolReconciler;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.NodeDrains;
import dev.operator.sks.tenant.PoolNodes;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.Operator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Machines follow a new revision and leave a pool only drained, against a real API server: the Nodepool and
 * InstancePool reconcilers run in-process with the simulated provider, whose played kubelets register their Nodes in
 * a tenant that is this same API server (so this class keeps a server of its own: it makes Nodes, which are
 * cluster-scoped). The drain is a recording fake that answers Draining once, then Drained, so removal is seen to wait
 * for it. The pool's Ready machines are counted at every write of its status.
 */
@EnableKubeAPIServer
class NodepoolLifecycleApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static Operator operator;
    static PoolNodes poolNodes;
    static TenantClients tenants;
    static KubernetesEventRecorder events;
    static IssuedCertificate ca;
    static MutableClock clock;
    static RecordingDrains drains;

    String namespace;

    @BeforeAll
    static void startReconcilers() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        ApiServerSupport.installCrds(client);
        clock = new MutableClock();
        OperatorServices defaults = OperatorServices.loadDefaults(ApiServerSupport.testConfig());
        OperatorServices services =
                new OperatorServices(defaults.config(), defaults.versions(), defaults.instanceTypes(), clock);
        // The tenant of every cluster is this API server: its admin kubeconfig is the test's own.
        tenants = new TenantClients(TenantClients.ServerOverride.NONE, (ns, name) -> adminKubeconfig(ns, name));
        poolNodes = PoolNodes.simulating(client, tenants, clock);
        events = new KubernetesEventRecorder(client, clock, Labels.MANAGED_BY_VALUE, "test");
        ca = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes");
        drains = new RecordingDrains();
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new NodepoolReconciler(services, events, Optional.empty(), drains));
        operator.register(new InstancePoolReconciler(
                services, new SimulatedProvider(clock, Duration.ZERO), poolNodes, null, events));
        operator.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> operator.getRuntimeInfo().allEventSourcesAreHealthy());
    }

    @AfterAll
    static void stop() {
        operator.stop();
        poolNodes.close();
        tenants.close();
        events.close();
        client.close();
    }

    @BeforeEach
    void cluster() {
        namespace = ApiServerSupport.newNamespace(client, "life");
        cluster("alpha", "1.33.4");
    }

    @Test
    void aPoolOfThreeMovesToANewVersionWithoutEverHavingFewerThanThreeReadyMachines() {
        create(nodepool("workers", 3));
        Nodepool before = awaitNodepool(
                "workers",
                np -> Integer.valueOf(3).equals(np.getStatus().readyNodes)
                        && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE));
        String oldRevision = before.getStatus().revision;
        assertThat(before.getStatus().version).isEqualTo("1.33.4");
        assertThat(before.getStatus().updatedMachines).isEqualTo(3);
        List<String> oldMachines = names(instancePool(before));
        String pool = before.getStatus().instancePool;
        Queue<Integer> counts = new ConcurrentLinkedQueue<>();
        Queue<Integer> machines = new ConcurrentLinkedQueue<>();
        // Every state the pool's status passes through: each write of its reconciler is one watch event.
        Watch watch = client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(pool)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, InstancePool p) {
                        if (p.getStatus() != null) {
                            counts.add((int) p.getStatus().instances.stream()
                                    .filter(i -> i.nodeName != null && "Running".equals(i.state))
                                    .count());
                            machines.add(p.getStatus().instances.size());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });

        Instant upgradeStarted = clock.instant();
        setClusterVersion("alpha", "1.34.1");
        Nodepool after = await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> nodepool("workers"),
                        np -> np.getStatus() != null
                                && !oldRevision.equals(np.getStatus().revision)
                                && Integer.valueOf(3).equals(np.getStatus().updatedMachines)
                                && Integer.valueOf(3).equals(np.getStatus().readyNodes)
                                && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE)
                                && np.getStatus().draining.isEmpty()
                                && instancePool(np).getStatus().instances.size() == 3);

        InstancePool replaced = instancePool(after);
        assertThat(names(replaced)).doesNotContainAnyElementsOf(oldMachines);
        assertThat(replaced.getStatus().instances)
                .allSatisfy(i -> assertThat(i.revision).isEqualTo(after.getStatus().revision))
                .allSatisfy(i -> assertThat(i.version).isEqualTo("1.34.1"));
        assertThat(after.getStatus().version).isEqualTo("1.34.1");
        // The played kubelets report the version their machine was made with.
        assertThat(replaced.getStatus().instances)
                .allSatisfy(i -> assertThat(client.nodes()
                                .withName(i.name)
                                .get()
                                .getStatus()
                                .getNodeInfo()
                                .getKubeletVersion())
                        .isEqualTo("v1.34.1"));

        watch.close();
        assertThat(counts).as("Ready machines after each pool status write").hasSizeGreaterThan(6);
        assertThat(counts.stream().mapToInt(Integer::intValue).min().orElseThrow())
                .as("Ready machines never below size - maxUnavailable (%s)", counts)
                .isGreaterThanOrEqualTo(3);
        assertThat(machines.stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("never more than size + maxSurge machines (%s)", machines)
                .isLessThanOrEqualTo(4);
        // Each old machine was drained, with the default 10 min deadline from when its drain started, and only removed
        // once the drain said so.
        for (String old : oldMachines) {
            List<DrainCall> calls = drains.calls(old);
            assertThat(calls).as("drains of %s", old).hasSizeGreaterThanOrEqualTo(2);
            assertThat(calls.get(0).answer()).isInstanceOf(NodeDrains.Draining.class);
            assertThat(calls.get(calls.size() - 1).answer()).isInstanceOf(NodeDrains.Drained.class);
            assertThat(Duration.between(upgradeStarted, calls.get(0).deadline()))
                    .isBetween(Duration.ofMinutes(10), Duration.ofMinutes(12));
            assertThat(calls)
                    .allSatisfy(
                            c -> assertThat(c.deadline()).isEqualTo(calls.get(0).deadline()));
        }
        awaitEvent("workers", "MachineReplaced");
        awaitEvent("workers", "MachineAdded");
    }

    /**
     * Phase 1 of a cluster-CA rotation puts the new CA next to the old one in the CA Secret's bundle (what the cluster
     * reconciler does, played here): the pool's revision moves, every machine is replaced, drained first, and only then
     * do the pool's figures let the new CA sign.
     */
    @Test
    void aClusterCaRotationReplacesEveryMachineBeforeTheNewCaMaySign() {
        create(nodepool("trusting", 2));
        Nodepool before = awaitNodepool(
                "trusting",
                np -> Integer.valueOf(2).equals(np.getStatus().readyNodes)
                        && Integer.valueOf(2).equals(np.getStatus().updatedMachines)
                        && Conditions.isTrue(np.getStatus().conditions, Conditions.MACHINES_UP_TO_DATE));
        String oldAnchor = NodeTrust.anchor(ca.certificatePem()).orElseThrow();
        assertThat(before.getStatus().trustedCA).isEqualTo(oldAnchor);
        List<String> oldMachines = names(instancePool(before));

        // A later CA, as a rotation makes it; the old one still signs, so it comes first in the bundle.
        String next = new BouncyCastlePki(Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))
                .createCa("kubernetes")
                .certificatePem();
        String newAnchor = NodeTrust.anchor(ca.certificatePem() + next).orElseThrow();
        assertThat(newAnchor).isNotEqualTo(oldAnchor);
        ApiServerSupport.edit(client.secrets().inNamespace(namespace).withName(Names.clusterCa("alpha")), secret -> {
            secret.getData().put(Names.CA_CERTIFICATE_KEY, base64(ca.certificatePem() + next));
            return secret;
        });
        // The pool still reports the old trust: the gate is shut.
        assertThat(NodeTrust.holdBack(newAnchor, List.of(figures(nodepool("trusting")))))
                .hasValueSatisfying(why -> assertThat(why).contains("pool trusting"));
        // The cluster changes when a rotation begins (its status, here its annotation): that wakes its pools.
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName("alpha"), cluster -> {
                    cluster.getMetadata().setAnnotations(Map.of(Labels.ROTATE_CLUSTER_CA_ANNOTATION, "r1"));
                    return cluster;
                });

        Nodepool after = await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> nodepool("trusting"),
                        np -> np.getStatus() != null
                                && newAnchor.equals(np.getStatus().trustedCA)
                                && Integer.valueOf(2).equals(np.getStatus().updatedMachines)
                                && Integer.valueOf(2).equals(np.getStatus().readyNodes)
                                && np.getStatus().draining.isEmpty()
                                && instancePool(np).getStatus().instances.size() == 2);
        assertThat(after.getStatus().revision).isNotEqualTo(before.getStatus().revision);
        assertThat(names(instancePool(after))).doesNotContainAnyElementsOf(oldMachines);
        for (String old : oldMachines) {
            assertThat(drains.drained(old)).as("%s drained before it went", old).isTrue();
        }
        // The new machines boot with both CAs.
        Secret userData = client.secrets()
                .inNamespace(namespace)
                .withName(Names.userData(after.getStatus().instancePool))
                .get();
        String cloudInit = new String(
                Base64.getDecoder().decode(userData.getData().get(Names.USER_DATA_KEY)), StandardCharsets.UTF_8);
        assertThat(cloudInit).contains(next.lines().skip(1).findFirst().orElseThrow());
        assertThat(NodeTrust.holdBack(newAnchor, List.of(figures(after)))).isEmpty();
    }

    /** What the cluster reconciler reads of a pool (KeyRotations.pools). */
    private static NodeTrust.Pool figures(Nodepool np) {
        return new NodeTrust.Pool(
                np.getMetadata().getName(),
                np.getMetadata().getGeneration(),
                np.getStatus().observedGeneration,
                Optional.ofNullable(np.getStatus().trustedCA),
                np.getStatus().size == null ? 0 : np.getStatus().size,
                np.getStatus().updatedMachines == null ? 0 : np.getStatus().updatedMachines,
                false);
    }

    @Test
    void scaleDownDrainsTheChosenMachineBeforeRemovingIt() {
        create(nodepool("shrinking", 3));
        Nodepool three = awaitNodepool("shrinking", np -> Integer.valueOf(3).equals(np.getStatus().readyNodes));
        InstancePool pool = instancePool(three);
        // The newest machine goes first (all are Ready and current); machines first seen in the same second go by the
        // pool's listing, oldest first, so the last listed of the newest goes.
        List<Instance> listed = pool.getStatus().instances;
        String newestTime =
                listed.stream().map(i -> i.createdAt).max(String::compareTo).orElseThrow();
        Instance newest = listed.stream()
                .filter(i -> i.createdAt.equals(newestTime))
                .reduce((first, second) -> second)
                .orElseThrow();

        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("shrinking"), np -> {
                    np.getSpec().size = 2;
                    return np;
                });
        Nodepool two = awaitNodepool(
                "shrinking",
                np -> instancePool(np).getStatus().instances.size() == 2
                        && np.getStatus().draining.isEmpty());
        assertThat(names(instancePool(two))).doesNotContain(newest.name);
        List<DrainCall> calls = drains.calls(newest.name);
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
        assertThat(calls.get(0).answer()).isInstanceOf(NodeDrains.Draining.class);
        assertThat(calls.get(0).cluster()).isEqualTo(new ClusterKey(namespace, "alpha"));
        assertThat(drains.drained(newest.name)).isTrue();
        awaitEvent("shrinking", "MachineRemoved");
        // Its Node goes with it.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.nodes().withName(newest.name).get() == null);
    }

    record DrainCall(ClusterKey cluster, String node, Instant deadline, NodeDrains.Progress answer) {}

    /** Answers Draining on the first call for a Node, Drained after; records every call. */
    static final class RecordingDrains implements NodeDrains {
        private final Queue<DrainCall> calls = new ConcurrentLinkedQueue<>();

        @Override
        public Progress drain(ClusterKey cluster, String node, Instant deadline) {
            Progress answer = calls(node).isEmpty() ? new Draining(3, "3 pods to evict") : new Drained();
            calls.add(new DrainCall(cluster, node, deadline, answer));
            return answer;
        }

        @Override
        public void forget(ClusterKey cluster, String node) {}

        List<DrainCall> calls(String node) {
            return new ArrayList<>(
                    calls.stream().filter(c -> c.node().equals(node)).toList());
        }

        boolean drained(String node) {
            return calls(node).stream().anyMatch(c -> c.answer().done());
        }
    }

    private static Optional<Secret> adminKubeconfig(String namespace, String name) {
        SKSCluster cluster = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("alpha")
                .get();
        if (cluster == null || !Names.adminKubeconfig("alpha").equals(name)) {
            return Optional.empty();
        }
        return Optional.of(new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .addToData(Names.KUBECONFIG_KEY, base64(kubeconfig))
                .build());
    }

    private void cluster(String name, String version) {
        SKSCluster cluster = client.resource(ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33"}
        """.formatted(name)))
                .inNamespace(namespace)
                .create();
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().endpoint = "https://203.0.113.10:443";
        cluster.getStatus().version = version;
        client.resource(cluster).updateStatus();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.clusterCa(name))
                        .withNamespace(namespace)
                        .withOwnerReferences(Owners.controllerReference(cluster))
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .addToData("tls.crt", base64(ca.certificatePem()))
                        .addToData("tls.key", base64(ca.privateKeyPem()))
                        .build())
                .create();
    }

    private void setClusterVersion(String name, String version) {
        SKSCluster cluster = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        cluster.getStatus().version = version;
        client.resource(cluster).updateStatus();
    }

    private static String nodepool(String name, int size) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: %s}
        spec: {cluster: alpha, size: %d, instanceType: standard.medium}
        """.formatted(name, size);
    }

    private void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private Nodepool nodepool(String name) {
        return client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private InstancePool instancePool(Nodepool nodepool) {
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private static List<String> names(InstancePool pool) {
        return pool.getStatus().instances.stream().map(i -> i.name).toList();
    }

    private Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .until(() -> nodepool(name), np -> np != null && np.getStatus() != null && condition.test(np));
    }

    private Event awaitEvent(String involved, String reason) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> client.v1().events().inNamespace(namespace).list().getItems().stream()
                                .filter(e ->
                                        involved.equals(e.getInvolvedObject().getName())
                                                && reason.equals(e.getReason()))
                                .findFirst()
                                .orElse(null),
                        e -> e != null);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
