package dev.operator.sks.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.tenant.TenantProbe;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's hanging tenant: one cluster's API server accepts connections and never answers (not even the TLS
 * handshake), another's is a real one. The hanging one costs each attempt the tenant client's timeouts, never the
 * other cluster's tenant work, and its cluster says why in {@code TenantReachable}.
 */
@SharedApiServer
class HangingTenantApiServerTest {
    private static final String GOOD = "good";
    private static final String HANGING = "hanging";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static SilentServer silent;
    static TenantApiServer tenant;
    static ClusterStandIn kubelet;
    static TenantClients.ServerOverride servers;

    @BeforeAll
    static void twoClustersOneHanging() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        silent = new SilentServer();
        int goodPort = TlsTestSupport.freeLoopbackPort();
        TenantClients.ServerOverride good = TenantApiServer.servingOn(goodPort);
        servers = (key, server) ->
                HANGING.equals(key.cluster()) ? "https://127.0.0.1:" + silent.port() : good.server(key, server);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                new SimpleMeterRegistry(),
                servers);
        namespace = ApiServerSupport.newNamespace(client, "hang");
        kubelet = ClusterStandIn.watch(client, namespace);
        for (String name : List.of(HANGING, GOOD)) {
            client.resource(ApiServerSupport.load(client, SKSCluster.class, """
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: %s}
            spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
            """.formatted(name)))
                    .inNamespace(namespace)
                    .create();
        }
        awaitCluster(GOOD, c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        tenant = TenantApiServer.start(client, namespace, GOOD, goodPort);
    }

    @AfterAll
    static void stop() throws IOException {
        if (kubelet != null) {
            kubelet.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (tenant != null) {
            tenant.close();
        }
        if (silent != null) {
            silent.close();
        }
        client.close();
    }

    @Test
    void theGoodTenantIsBootstrappedWhileTheHangingOneSaysWhy() {
        long started = System.nanoTime();
        SKSCluster good =
                awaitCluster(GOOD, c -> Conditions.isTrue(c.getStatus().conditions, Conditions.TENANT_REACHABLE));
        System.out.printf(
                "hanging tenant: the good tenant reachable and bootstrapped %.1f s into the test (its API server up), "
                        + "while the hanging one had %d connections held%n",
                (System.nanoTime() - started) / 1e9, silent.accepted());
        try (TenantClients tenants = new TenantClients(client, servers)) {
            KubernetesClient admin = tenants.client(good).orElseThrow();
            assertThat(admin.configMaps()
                            .inNamespace("kube-public")
                            .withName("cluster-info")
                            .get())
                    .as("the good tenant's bootstrap objects")
                    .isNotNull();
        }

        SKSCluster hanging = awaitCluster(
                HANGING,
                c -> c.getStatus().state == ClusterState.Running
                        && Conditions.find(c.getStatus().conditions, Conditions.TENANT_REACHABLE)
                                .filter(r -> Conditions.FALSE.equals(r.getStatus()))
                                .isPresent());
        Condition reachable = Conditions.find(hanging.getStatus().conditions, Conditions.TENANT_REACHABLE)
                .orElseThrow();
        assertThat(reachable.getReason()).isEqualTo("TenantUnreachable");
        assertThat(reachable.getMessage()).contains("did not answer within");
        assertThat(silent.accepted())
                .as("the operator did try the hanging tenant")
                .isPositive();
    }

    @Test
    void theGoodTenantGetsItsNodesWhileTheHangingPoolSaysWhy() {
        for (String cluster : List.of(HANGING, GOOD)) {
            client.resource(ApiServerSupport.load(client, Nodepool.class, """
            apiVersion: sks.operator.dev/v1alpha1
            kind: Nodepool
            metadata: {name: %s-pool}
            spec: {cluster: %s, size: 2, instanceType: standard.medium}
            """.formatted(cluster, cluster)))
                    .inNamespace(namespace)
                    .create();
        }
        try (TenantClients tenants = new TenantClients(client, servers)) {
            awaitCluster(GOOD, c -> Conditions.isTrue(c.getStatus().conditions, Conditions.TENANT_REACHABLE));
            KubernetesClient admin = tenants.client(namespace, GOOD).orElseThrow();
            await().atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertThat(admin.nodes().list().getItems())
                            .as("the good tenant's Nodes, registered while the other tenant hangs")
                            .hasSize(2));
        }
        InstancePool hanging = await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> instancePoolOf("hanging-pool"),
                        p -> p != null
                                && p.getStatus() != null
                                && Conditions.find(p.getStatus().conditions, Conditions.NODES_REGISTERED)
                                        .filter(c -> "TenantUnreachable".equals(c.getReason()))
                                        .isPresent());
        assertThat(Conditions.find(hanging.getStatus().conditions, Conditions.NODES_REGISTERED)
                        .orElseThrow()
                        .getMessage())
                .contains("did not answer within");
    }

    private static InstancePool instancePoolOf(String nodepool) {
        Nodepool pool = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(nodepool)
                .get();
        if (pool == null || pool.getStatus() == null || pool.getStatus().instancePool == null) {
            return null;
        }
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(pool.getStatus().instancePool)
                .get();
    }

    @Test
    void anAttemptOnTheHangingTenantEndsAtTheClientsTimeouts() {
        try (TenantClients tenants = new TenantClients(client, servers)) {
            awaitCluster(HANGING, c -> c.getStatus().endpoint != null);
            long probing = System.nanoTime();
            TenantProbe probe = tenants.probe(new TenantClients.ClusterKey(namespace, HANGING));
            double probeSeconds = (System.nanoTime() - probing) / 1e9;
            assertThat(probe.reachable()).isFalse();
            assertThat(probe.message()).contains("did not answer within");

            KubernetesClient admin = tenants.client(namespace, HANGING).orElseThrow();
            long listing = System.nanoTime();
            KubernetesClientException failure =
                    catchThrowableOfType(() -> admin.namespaces().list(), KubernetesClientException.class);
            double listSeconds = (System.nanoTime() - listing) / 1e9;
            assertThat(failure)
                    .as("a request to a silent server fails rather than waits forever")
                    .isNotNull();
            assertThat(failure.getCode()).as("no HTTP answer").isLessThanOrEqualTo(0);
            System.out.printf(
                    "hanging tenant: a probe gave up after %.1f s (probe timeout %s), a list request after %.1f s "
                            + "(connect %s, request %s)%n",
                    probeSeconds,
                    TenantClients.PROBE_TIMEOUT,
                    listSeconds,
                    TenantClients.CONNECT_TIMEOUT,
                    TenantClients.REQUEST_TIMEOUT);
        }
    }

    private static SKSCluster awaitCluster(String name, Predicate<SKSCluster> done) {
        return await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        c -> c != null && c.getStatus() != null && c.getStatus().conditions != null && done.test(c));
    }

    /** Accepts every connection and holds it open without reading or writing a byte. */
    static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            acceptor = new Thread(
                    () -> {
                        while (!socket.isClosed()) {
                            try {
                                held.add(socket.accept());
                            } catch (IOException e) {
                                return; // closed
                            }
                        }
                    },
                    "silent-tenant");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
