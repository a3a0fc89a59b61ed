package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.etcd.EtcdTestKv;
import dev.operator.sks.etcd.HttpEtcdMembers;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.naming.BackupKeys;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator backs up a cluster with spec.backup against a real API server, a real etcd (playing the cluster's
 * member 0 with the cluster's own certificates) and S3Proxy: status.backup, BackupReady and Events on each backup,
 * backup-now taking one per value, the schedule taking one when the (injected) clock reaches it, and retention
 * keeping the newest two.
 */
@SharedApiServer
class BackupApiServerTest {
    static final String CLUSTER = "backed";
    static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    static final byte[] KEY = new byte[32];

    @KubeConfig
    static String kubeconfig;

    @TempDir
    static Path directory;

    static KubernetesClient client;
    static LocalS3 s3;
    static SksOperator operator;
    static volatile LocalEtcd.Member member;
    static LocalEtcd etcd;
    static String operatorNamespace;

    @BeforeAll
    static void start() throws Exception {
        new SecureRandom().nextBytes(KEY);
        client = ApiServerSupport.client(kubeconfig);
        s3 = LocalS3.start(directory.resolve("s3"), "backups", "operator", "operator-secret-key");
        operatorNamespace = ApiServerSupport.newNamespace(client, "backup-operator");
        secret(
                operatorNamespace,
                "store",
                Map.of(
                        "access-key-id", s3.accessKeyId().getBytes(StandardCharsets.UTF_8),
                        "secret-access-key", s3.secretAccessKey().getBytes(StandardCharsets.UTF_8)));
        secret(operatorNamespace, "encryption", Map.of("key", KEY));
        OperatorConfig config = OperatorConfig.parse(
                new String[] {
                    "--http-port=0",
                    "--simulated-instance-delay=PT0S",
                    "--idle-starter-deletion=PT0S",
                    "--backup-s3-endpoint=" + s3.endpoint(),
                    "--backup-s3-bucket=backups",
                    "--backup-s3-credentials-secret=" + operatorNamespace + "/store",
                    "--backup-encryption-secret=" + operatorNamespace + "/encryption"
                },
                Map.of());
        operator = ApiServerSupport.startOperator(
                client,
                new OperatorServices(config, VersionCatalog.loadDefault(), InstanceTypeCatalog.loadDefault(), CLOCK),
                new SimpleMeterRegistry(),
                TenantClients.ServerOverride.NONE,
                new TlsEtcdConnector((ns, name, rendered) -> {
                    LocalEtcd.Member current = member;
                    return current == null ? rendered : current.clientUrl();
                }));
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (etcd != null) {
            etcd.close();
        }
        if (s3 != null) {
            s3.close();
        }
        client.close();
    }

    @Test
    void backupsFillStatusOnRequestAndOnScheduleAndRetentionKeepsTheNewest() throws Exception {
        String namespace = ApiServerSupport.newNamespace(client, "backup");
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace);
                S3ObjectStore store = new S3ObjectStore(
                        new S3ObjectStore.Settings(s3.endpoint(), LocalS3.REGION, "backups", true),
                        s3.accessKeyId(),
                        s3.secretAccessKey())) {
            client.resource(ApiServerSupport.load(client, SKSCluster.class, """
                            apiVersion: sks.operator.dev/v1alpha1
                            kind: SKSCluster
                            metadata: {name: %s}
                            spec:
                              zone: ch-gva-2
                              version: "1.33"
                              backup: {retention: {count: 2}}
                            """.formatted(CLUSTER)))
                    .inNamespace(namespace)
                    .create();
            SKSCluster running = awaitCluster(
                    namespace,
                    c -> c.getStatus().state == ClusterState.Running
                            && Conditions.isTrue(c.getStatus().conditions, Conditions.ETCD_READY)
                            && c.getStatus().backup != null);
            assertThat(condition(running).getStatus()).isEqualTo("Unknown");
            assertThat(condition(running).getReason()).isEqualTo("Scheduled");
            assertThat(running.getStatus().backup.nextScheduled).isNotNull();
            String uid = running.getMetadata().getUid();

            startEtcd(namespace);
            Secret etcdClient = secretOf(namespace, Names.apiserverEtcdClient(CLUSTER));
            new EtcdTestKv(
                            URI.create(member.clientUrl()),
                            text(etcdClient, "tls.crt"),
                            text(etcdClient, "tls.key"),
                            text(etcdClient, "ca.crt"))
                    .put("/registry/namespaces/backed-up", "data".getBytes(StandardCharsets.UTF_8));

            annotate(namespace, "first");
            SKSCluster first = awaitCluster(
                    namespace,
                    c -> c.getStatus().backup != null
                            && "first".equals(c.getStatus().backup.lastRequest)
                            && c.getStatus().backup.lastSuccessTime != null);
            assertThat(condition(first).getStatus()).isEqualTo("True");
            assertThat(condition(first).getReason()).isEqualTo("BackupSucceeded");
            var backup = first.getStatus().backup;
            assertThat(backup.lastObject)
                    .isEqualTo(BackupKeys.snapshot("sks", namespace, CLUSTER, uid, CLOCK.instant()));
            assertThat(backup.lastSize).isPositive();
            assertThat(store.metadata(backup.lastObject)).containsEntry("sha256", backup.lastSha256);
            String caKey = BackupKeys.caBundleOf(backup.lastObject);
            CaBundle cas =
                    CaBundle.fromJson(new CaBundleCipher(KEY).decrypt(store.get(caKey, 1 << 20), uid, caKey), caKey);
            assertThat(cas.entries().get(CaBundle.Role.CLUSTER_CA).data())
                    .isEqualTo(secretOf(namespace, Names.clusterCa(CLUSTER)).getData());

            for (String request : new String[] {"second", "third", "fourth"}) {
                CLOCK.advance(Duration.ofDays(1));
                annotate(namespace, request);
                awaitCluster(
                        namespace,
                        c -> request.equals(c.getStatus().backup.lastRequest)
                                && CLOCK.instant().toString().equals(c.getStatus().backup.lastSuccessTime));
            }
            String prefix = BackupKeys.uidPrefix("sks", namespace, CLUSTER, uid);
            assertThat(store.list(prefix))
                    .extracting(ObjectStore.StoredObject::key)
                    .as("retention keeps the newest two backups, snapshot and CA bundle each")
                    .containsExactlyInAnyOrder(
                            BackupKeys.snapshot("sks", namespace, CLUSTER, uid, CLOCK.instant()),
                            BackupKeys.caBundle("sks", namespace, CLUSTER, uid, CLOCK.instant()),
                            BackupKeys.snapshot(
                                    "sks",
                                    namespace,
                                    CLUSTER,
                                    uid,
                                    CLOCK.instant().minus(Duration.ofDays(1))),
                            BackupKeys.caBundle(
                                    "sks",
                                    namespace,
                                    CLUSTER,
                                    uid,
                                    CLOCK.instant().minus(Duration.ofDays(1))));

            // The daily schedule, with no request: due once the clock passes it, on the next reconcile.
            CLOCK.advance(Duration.ofDays(2));
            client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .withName(CLUSTER)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"description\":\"tick\"}}");
            SKSCluster scheduled = awaitCluster(
                    namespace, c -> CLOCK.instant().toString().equals(c.getStatus().backup.lastSuccessTime));
            assertThat(scheduled.getStatus().backup.lastRequest).isEqualTo("fourth");
            assertThat(Instant.parse(scheduled.getStatus().backup.nextScheduled))
                    .isAfter(CLOCK.instant())
                    .isBefore(CLOCK.instant().plus(Duration.ofDays(1)).plusSeconds(60));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(client.v1()
                                    .events()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems())
                            .extracting(e -> e.getReason())
                            .contains("BackupSucceeded", "BackupRequested"));

            // A new cluster from the newest backup: the same CAs, and the etcd members told where the snapshot is.
            create(namespace, "restored", "{fromCluster: " + CLUSTER + ", snapshot: latest}");
            create(namespace, "orphan", "{fromCluster: never-backed-up}");
            SKSCluster restored = await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> client.resources(SKSCluster.class)
                                    .inNamespace(namespace)
                                    .withName("restored")
                                    .get(),
                            c -> c != null
                                    && c.getStatus() != null
                                    && Conditions.isTrue(c.getStatus().conditions, Conditions.RESTORE_READY)
                                    && c.getStatus().state == ClusterState.Running);
            assertThat(restored.getStatus().restoredFrom).isEqualTo(scheduled.getStatus().backup.lastObject);
            for (String ca : new String[] {
                Names.clusterCa(CLUSTER),
                Names.etcdCa(CLUSTER),
                Names.serviceAccountKeys(CLUSTER),
                Names.clientsCa(CLUSTER)
            }) {
                String restoredName = "restored" + ca.substring(CLUSTER.length());
                assertThat(secretOf(namespace, restoredName).getData())
                        .as(restoredName)
                        .isEqualTo(secretOf(namespace, ca).getData());
            }
            Secret download = secretOf(namespace, Names.etcdRestore("restored"));
            assertThat(text(download, "sha256")).isEqualTo(scheduled.getStatus().backup.lastSha256);
            assertThat(download.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> assertThat(o.getUid())
                            .isEqualTo(restored.getMetadata().getUid()));
            var pod = client.apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withName(Names.etcdStatefulSet("restored"))
                    .get()
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(pod.getInitContainers())
                    .extracting(c -> c.getName())
                    .containsExactly("restore-tools", "restore");
            assertThat(pod.toString()).doesNotContain(text(download, "url"));

            SKSCluster orphan = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> client.resources(SKSCluster.class)
                                    .inNamespace(namespace)
                                    .withName("orphan")
                                    .get(),
                            c -> c.getStatus() != null
                                    && Conditions.find(c.getStatus().conditions, Conditions.RESTORE_READY)
                                            .isPresent());
            var refused = Conditions.find(orphan.getStatus().conditions, Conditions.RESTORE_READY)
                    .orElseThrow();
            assertThat(refused.getReason()).isEqualTo("BackupNotFound");
            assertThat(refused.getMessage()).contains("never-backed-up");
            assertThat(secretOf(namespace, Names.clusterCa("orphan")))
                    .as("no CA is generated for a cluster that is to be restored")
                    .isNull();
        }
    }

    static void create(String namespace, String name, String restore) {
        client.resource(ApiServerSupport.load(client, SKSCluster.class, """
                        apiVersion: sks.operator.dev/v1alpha1
                        kind: SKSCluster
                        metadata: {name: %s}
                        spec:
                          zone: ch-gva-2
                          version: "1.33"
                          restore: %s
                        """.formatted(name, restore)))
                .inNamespace(namespace)
                .create();
    }

    static void startEtcd(String namespace) throws Exception {
        Secret server = secretOf(namespace, Names.etcdServerCertificate(CLUSTER));
        Secret peer = secretOf(namespace, Names.etcdPeerCertificate(CLUSTER));
        etcd = new LocalEtcd(
                Files.createDirectories(directory.resolve("etcd")),
                new LocalEtcd.Tls(
                        text(server, "ca.crt"),
                        text(server, "tls.crt"),
                        text(server, "tls.key"),
                        text(peer, "tls.crt"),
                        text(peer, "tls.key")));
        LocalEtcd.Member started = etcd.member(Names.etcdMember(CLUSTER, 0));
        started.start(started.initialClusterEntry(), "new");
        Secret etcdClient = secretOf(namespace, Names.apiserverEtcdClient(CLUSTER));
        etcd.awaitStarted(
                HttpEtcdMembers.connect(
                        URI.create(started.clientUrl()),
                        text(etcdClient, "tls.crt"),
                        text(etcdClient, "tls.key"),
                        text(etcdClient, "ca.crt")),
                1);
        member = started;
    }

    static void annotate(String namespace, String value) {
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName(CLUSTER), c -> {
                    c.getMetadata().getAnnotations().put("sks.operator.dev/backup-now", value);
                    return c;
                });
    }

    static io.fabric8.kubernetes.api.model.Condition condition(SKSCluster cluster) {
        return Conditions.find(cluster.getStatus().conditions, Conditions.BACKUP_READY)
                .orElseThrow();
    }

    static SKSCluster awaitCluster(String namespace, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null && c.getStatus() != null && condition.test(c));
    }

    static Secret secretOf(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    static String text(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    static void secret(String namespace, String name, Map<String, byte[]> data) {
        Map<String, String> encoded = new java.util.LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v)));
        client.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withData(encoded)
                        .build())
                .create();
    }
}
