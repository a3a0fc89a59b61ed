package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.etcd.EtcdAlarm;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdMaintenance;
import dev.operator.sks.etcd.EtcdMembers;
import dev.operator.sks.etcd.HttpEtcdMembers;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's etcd maintenance end to end: a running cluster whose etcd (a real process with the cluster's own
 * certificates and a 16 MiB quota) fills up shows EtcdReady=False with reason NoSpace, then the operator compacts,
 * defragments and disarms by itself; EtcdReady returns, the defragmentation is in status, and writes work again.
 */
@SharedApiServer
class EtcdMaintenanceApiServerTest {
    static final String CLUSTER = "full";
    static final ObjectMapper JSON = new ObjectMapper();

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    /** The etcd process playing the cluster's pod; none until the cluster's certificates exist. */
    static volatile LocalEtcd.Member pod;

    @TempDir
    static Path directory;

    @BeforeAll
    static void startOperator() {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                new SimpleMeterRegistry(),
                TenantClients.ServerOverride.NONE,
                EtcdMaintenanceApiServerTest::connect);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        operator.close();
        client.close();
    }

    /** The production connector, pointed at the local process instead of the member's in-cluster name. */
    static EtcdMembers connect(KubernetesClient management, SKSCluster cluster, String clientUrl) throws EtcdException {
        LocalEtcd.Member running = pod;
        if (running == null) {
            throw new EtcdException("no etcd process runs yet");
        }
        return new TlsEtcdConnector((ns, name, rendered) -> running.clientUrl())
                .connect(management, cluster, clientUrl);
    }

    @Test
    void aFullEtcdIsReportedThenRecoveredByTheOperator() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "etcd-full");
        LocalEtcd etcd = null;
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            create(namespace, ControlPlaneApiServerTest.cluster(CLUSTER, "1.33", "ClusterIP"));
            awaitCluster(namespace, c -> c.getStatus().state == ClusterState.Running);
            etcd = new LocalEtcd(directory, tls(namespace));
            LocalEtcd.Member member = etcd.member(Names.etcdMember(CLUSTER, 0));
            member.start(member.initialClusterEntry(), "new", List.of("--quota-backend-bytes=" + 16 * 1024 * 1024));
            Secret credentials = secret(namespace, Names.apiserverEtcdClient(CLUSTER));
            EtcdMaintenance direct = HttpEtcdMembers.connect(
                    URI.create(member.clientUrl()),
                    value(credentials, "tls.crt"),
                    value(credentials, "tls.key"),
                    value(credentials, "ca.crt"));
            etcd.awaitStarted(direct, 1);
            HttpClient kv = TlsTestSupport.httpClient(TlsTestSupport.sslContext(
                    value(credentials, "tls.crt"), value(credentials, "tls.key"), value(credentials, "ca.crt")));
            byte[] value = new byte[512 * 1024];
            new Random(16).nextBytes(value);
            boolean full = false;
            for (int i = 0; i < 200 && !full; i++) {
                full = put(kv, member, "/registry/configmaps/big", value).statusCode() != 200;
            }
            assertThat(full).isTrue();
            pod = member;

            SKSCluster reported =
                    awaitCluster(namespace, c -> "NoSpace".equals(etcdReady(c).getReason()));
            assertThat(etcdReady(reported).getStatus()).isEqualTo("False");
            assertThat(etcdReady(reported).getMessage())
                    .startsWith("etcd's db reached its quota (NOSPACE alarm): the cluster refuses writes;");

            SKSCluster recovered = awaitCluster(
                    namespace,
                    c -> Conditions.isTrue(c.getStatus().conditions, Conditions.ETCD_READY)
                            && c.getStatus().etcd.memberStatus != null
                            && c.getStatus().etcd.memberStatus.get(0).lastDefragmentation != null);
            assertThat(recovered.getStatus().etcd.memberStatus).singleElement().satisfies(m -> {
                assertThat(m.name).isEqualTo(Names.etcdMember(CLUSTER, 0));
                assertThat(m.dbSizeBytes).isLessThan(4L * 1024 * 1024);
            });
            assertThat(direct.alarms()).extracting(EtcdAlarm::type).doesNotContain(EtcdAlarm.NOSPACE);
            assertThat(put(kv, member, "/registry/configmaps/after", "x".getBytes(StandardCharsets.UTF_8))
                            .statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(client.v1()
                                    .events()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems())
                            .extracting(e -> e.getReason() + ": " + e.getMessage())
                            .anySatisfy(m -> assertThat(m).startsWith("EtcdDefragmented: defragmented etcd member "))
                            .anySatisfy(m -> assertThat(m).startsWith("EtcdSpaceRecovered: etcd has room again")));
        } finally {
            pod = null;
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    /** The cluster's own etcd serving and peer certificates, from the Secrets its pod would mount. */
    private static LocalEtcd.Tls tls(String namespace) {
        Secret server = secret(namespace, Names.etcdServerCertificate(CLUSTER));
        Secret peer = secret(namespace, Names.etcdPeerCertificate(CLUSTER));
        return new LocalEtcd.Tls(
                value(server, "ca.crt"),
                value(server, "tls.crt"),
                value(server, "tls.key"),
                value(peer, "tls.crt"),
                value(peer, "tls.key"));
    }

    private static HttpResponse<String> put(HttpClient kv, LocalEtcd.Member member, String key, byte[] value)
            throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "key", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)),
                "value", Base64.getEncoder().encodeToString(value)));
        return kv.send(
                HttpRequest.newBuilder(URI.create(member.clientUrl() + "/v3/kv/put"))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Condition etcdReady(SKSCluster cluster) {
        return Conditions.find(cluster.getStatus().conditions, Conditions.ETCD_READY)
                .orElseThrow();
    }

    private static Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    private static String value(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static void create(String namespace, String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster awaitCluster(String namespace, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null
                                && c.getStatus() != null
                                && Conditions.find(c.getStatus().conditions, Conditions.ETCD_READY)
                                        .isPresent()
                                && condition.test(c));
    }
}
