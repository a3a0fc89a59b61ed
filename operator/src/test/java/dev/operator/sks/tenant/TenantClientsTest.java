package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.naming.Names;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The cache and the probe; the management cluster is a mock server, tenants are addresses that never answer. */
@EnableKubernetesMockClient(crud = true)
class TenantClientsTest {
    private static final String NAMESPACE = "tenants";
    KubernetesClient client;

    @Test
    void aClusterWithoutAdminKubeconfigHasNoClientAndIsNotReachable() {
        try (TenantClients tenants = new TenantClients(client)) {
            assertThat(tenants.client(NAMESPACE, "absent")).isEmpty();
            TenantProbe probe = tenants.probe(new ClusterKey(NAMESPACE, "absent"));
            assertThat(probe.reachable()).isFalse();
            assertThat(probe.message()).contains(Names.adminKubeconfig("absent"));
        }
    }

    @Test
    void aSameNamedSecretTheClusterDidNotMakeIsNeverUsed() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TenantClients tenants = new TenantClients(client)) {
            String kubeconfig = kubeconfig("planted", "https://127.0.0.1:" + silent.getLocalPort());
            client.resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName(Names.adminKubeconfig("planted"))
                            .withNamespace(NAMESPACE)
                            .endMetadata()
                            .addToData(
                                    Names.KUBECONFIG_KEY,
                                    Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                            .build())
                    .create();
            assertThat(tenants.client(NAMESPACE, "planted")).isEmpty();
            assertThat(tenants.probe(new ClusterKey(NAMESPACE, "planted")).reachable())
                    .isFalse();
        }
    }

    @Test
    void aTenantThatAcceptsConnectionsButNeverAnswersIsUnreachableWithinTheProbeTimeout() throws IOException {
        // The kernel completes the TCP handshake into the backlog; nothing ever reads, so TLS hangs: the worst case.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TenantClients tenants = new TenantClients(client)) {
            writeKubeconfig("silent", "https://127.0.0.1:" + silent.getLocalPort());
            long start = System.nanoTime();
            TenantProbe probe = tenants.probe(new ClusterKey(NAMESPACE, "silent"));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertThat(probe.reachable()).isFalse();
            assertThat(probe.message()).contains("did not answer within 3 s");
            assertThat(elapsed).isLessThan(Duration.ofMillis(4500));
        }
    }

    @Test
    void aTenantThatRefusesConnectionsIsUnreachableAtOnce() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (TenantClients tenants = new TenantClients(client)) {
            writeKubeconfig("refusing", "https://127.0.0.1:" + closedPort);
            long start = System.nanoTime();
            TenantProbe probe = tenants.probe(new ClusterKey(NAMESPACE, "refusing"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(probe.reachable()).isFalse();
            assertThat(probe.message()).contains("refuses connections");
        }
    }

    @Test
    void clientsHaveShortTimeoutsAndNoRetries() {
        try (TenantClients tenants = new TenantClients(client)) {
            writeKubeconfig("timeouts", "https://timeouts-apiserver.tenants.svc:443");
            var config = tenants.client(NAMESPACE, "timeouts").orElseThrow().getConfiguration();
            assertThat(config.getConnectionTimeout()).isEqualTo(3000);
            assertThat(config.getRequestTimeout()).isEqualTo(10000);
            assertThat(config.getRequestRetryBackoffLimit()).isZero();
        }
    }

    @Test
    void oneClientPerClusterRebuiltOnlyWhenItsKubeconfigChanges() {
        try (TenantClients tenants = new TenantClients(client)) {
            writeKubeconfig("alpha", "https://alpha-apiserver.tenants.svc:443");
            writeKubeconfig("beta", "https://beta-apiserver.tenants.svc:443");
            KubernetesClient alpha = tenants.client(NAMESPACE, "alpha").orElseThrow();
            assertThat(tenants.client(NAMESPACE, "alpha")).containsSame(alpha);
            KubernetesClient beta = tenants.client(NAMESPACE, "beta").orElseThrow();
            assertThat(beta).isNotSameAs(alpha);
            assertThat(tenants.size()).isEqualTo(2);

            writeKubeconfig("alpha", "https://203.0.113.10:443");
            KubernetesClient rebuilt = tenants.client(NAMESPACE, "alpha").orElseThrow();
            assertThat(rebuilt).isNotSameAs(alpha);
            assertThat(rebuilt.getMasterUrl().toString()).startsWith("https://203.0.113.10:443");
            assertThat(alpha.getHttpClient().isClosed())
                    .as("the replaced client is closed")
                    .isTrue();
            assertThat(tenants.client(NAMESPACE, "beta")).containsSame(beta);

            tenants.evict(NAMESPACE, "beta");
            assertThat(beta.getHttpClient().isClosed()).isTrue();
            assertThat(tenants.size()).isEqualTo(1);

            client.secrets()
                    .inNamespace(NAMESPACE)
                    .withName(Names.adminKubeconfig("alpha"))
                    .delete();
            assertThat(tenants.client(NAMESPACE, "alpha")).isEmpty();
            assertThat(rebuilt.getHttpClient().isClosed())
                    .as("a kubeconfig that went away closes its client")
                    .isTrue();
        }
    }

    @Test
    void closeClosesEveryClientAndRefusesNewOnes() {
        TenantClients tenants = new TenantClients(client);
        writeKubeconfig("gamma", "https://gamma-apiserver.tenants.svc:443");
        KubernetesClient gamma = tenants.client(NAMESPACE, "gamma").orElseThrow();
        tenants.close();
        assertThat(gamma.getHttpClient().isClosed()).isTrue();
        assertThat(tenants.size()).isZero();
        assertThatThrownBy(() -> tenants.client(NAMESPACE, "gamma")).isInstanceOf(IllegalStateException.class);
        assertThat(tenants.reachable(NAMESPACE, "gamma")).isFalse();
    }

    @Test
    void theServerOverrideReplacesTheKubeconfigsServer() {
        TenantClients.ServerOverride toLoopback = (key, server) -> "https://127.0.0.1:6443";
        try (TenantClients tenants = new TenantClients(client, toLoopback)) {
            writeKubeconfig("delta", "https://delta-apiserver.tenants.svc:443");
            assertThat(tenants.client(NAMESPACE, "delta")
                            .orElseThrow()
                            .getMasterUrl()
                            .toString())
                    .startsWith("https://127.0.0.1:6443");
        }
    }

    @Test
    void anUnreadableKubeconfigIsAnErrorThatDoesNotQuoteIt() {
        try (TenantClients tenants = new TenantClients(client)) {
            putKubeconfig("broken", "clusters: [this is: not: a kubeconfig secret-material-here");
            assertThatThrownBy(() -> tenants.client(NAMESPACE, "broken"))
                    .isInstanceOf(IllegalStateException.class)
                    .message()
                    .doesNotContain("secret-material-here");
            assertThat(tenants.reachable(NAMESPACE, "broken")).isFalse();
        }
    }

    private void writeKubeconfig(String cluster, String server) {
        putKubeconfig(cluster, kubeconfig(cluster, server));
    }

    private static String kubeconfig(String cluster, String server) {
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster: {server: "%2$s", insecure-skip-tls-verify: true}
        users:
        - name: admin
          user: {token: not-a-real-token}
        contexts:
        - name: admin@%1$s
          context: {cluster: %1$s, user: admin}
        current-context: admin@%1$s
        """.formatted(cluster, server);
    }

    /** The admin kubeconfig as the cluster writes it: controlled by the SKSCluster. */
    private void putKubeconfig(String cluster, String kubeconfig) {
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(Names.adminKubeconfig(cluster))
                        .withNamespace(NAMESPACE)
                        .addNewOwnerReference()
                        .withApiVersion("sks.operator.dev/v1alpha1")
                        .withKind("SKSCluster")
                        .withName(cluster)
                        .withUid("uid-" + cluster)
                        .withController(true)
                        .endOwnerReference()
                        .endMetadata()
                        .addToData(
                                Names.KUBECONFIG_KEY,
                                Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                        .build())
                .createOr(op -> op.update());
    }
}
