package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.naming.BackupKeys;
import dev.operator.sks.pki.TestBinaries;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TLS etcd with data, backed up through the operator's code into S3Proxy, and restored from the store into a
 * new etcd process (etcdctl snapshot restore, as the restore init container does) that serves the data back.
 */
class EtcdBackupRoundTripTest {
    static final String UID = "0b6f2a34-5c1e-4d7a-9f00-1234567890ab";

    @TempDir
    static Path directory;

    static BackupFixtures fixtures;
    static LocalS3 s3;
    static S3ObjectStore store;
    static final byte[] KEY = new byte[32];

    @BeforeAll
    static void start() throws Exception {
        new SecureRandom().nextBytes(KEY);
        fixtures = new BackupFixtures(Files.createDirectories(directory.resolve("etcd")));
        fixtures.start();
        s3 = LocalS3.start(directory.resolve("s3"), "backups", "test-access", "test-secret-key");
        store = new S3ObjectStore(
                new S3ObjectStore.Settings(s3.endpoint(), LocalS3.REGION, "backups", true),
                s3.accessKeyId(),
                s3.secretAccessKey());
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (fixtures != null) {
            fixtures.etcd.close();
        }
    }

    @Test
    void backsUpARealEtcdAndRestoresItIntoANewProcess() throws Exception {
        var kv = fixtures.kv(fixtures.member);
        kv.put("/registry/configmaps/default/before-backup", "kept".getBytes(StandardCharsets.UTF_8));
        // More than one part, so the multipart path and the digest written afterwards are what is tested.
        byte[] large = new byte[1024 * 1024];
        new SecureRandom().nextBytes(large);
        for (int i = 0; i < 10; i++) {
            kv.put("/registry/blobs/" + i, large);
        }

        Clock clock = Clock.fixed(Instant.parse("2026-11-30T02:17:00Z"), ZoneOffset.UTC);
        EtcdBackupJob job = new EtcdBackupJob(store, new CaBundleCipher(KEY), clock);
        EtcdBackupJob.Target target =
                new EtcdBackupJob.Target("sks", "team-a", "prod", UID, Optional.of(7), Optional.empty());
        EtcdBackupJob.Result result = job.run(target, snapshotOf(fixtures.member), caBundle());
        kv.put("/registry/configmaps/default/after-backup", "not in the backup".getBytes(StandardCharsets.UTF_8));

        assertThat(result.snapshotKey()).isEqualTo("sks/team-a/prod/" + UID + "/20261130T021700Z/etcd.snapshot");
        assertThat(result.size()).isGreaterThan(10L * 1024 * 1024).isGreaterThan(S3ObjectStore.PART_SIZE);
        Path downloaded = directory.resolve("downloaded.db");
        try (InputStream in = store.presignGet(result.snapshotKey(), Duration.ofMinutes(5))
                .toURL()
                .openStream()) {
            Files.copy(in, downloaded);
        }
        String actualDigest = sha256(downloaded);
        assertThat(Files.size(downloaded)).isEqualTo(result.size());
        assertThat(store.metadata(result.snapshotKey()))
                .containsEntry(BackupKeys.SHA256_METADATA, actualDigest)
                .containsEntry(BackupKeys.CLUSTER_UID_METADATA, UID);
        assertThat(result.sha256()).isEqualTo(actualDigest);

        byte[] sealed = store.get(result.caBundleKey(), 1 << 20);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("fake-ca-key");
        CaBundle restored = CaBundle.fromJson(
                new CaBundleCipher(KEY).decrypt(sealed, UID, result.caBundleKey()), result.caBundleKey());
        assertThat(restored.entries().get(CaBundle.Role.ETCD_CA).data())
                .isEqualTo(caBundle().entries().get(CaBundle.Role.ETCD_CA).data());

        LocalEtcd.Member restoredMember = fixtures.etcd.member("restored-0");
        restore(downloaded, restoredMember);
        restoredMember.start(restoredMember.initialClusterEntry(), "new");
        fixtures.etcd.awaitStarted(fixtures.members(restoredMember), 1);
        var restoredKv = fixtures.kv(restoredMember);
        assertThat(restoredKv.get("/registry/configmaps/default/before-backup"))
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .contains("kept");
        assertThat(restoredKv.get("/registry/blobs/9"))
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(large));
        assertThat(restoredKv.get("/registry/configmaps/default/after-backup")).isEmpty();
        System.out.println(
                "[figures] restore round trip: a " + result.size() + "-byte snapshot of a real etcd, taken "
                        + "through the operator's backup job, restored into a new etcd process; 11 keys written before the "
                        + "backup read back byte for byte, the one written after it absent, the SHA-256 and CA bundle verified");
    }

    /**
     * The restore init container's script, as rendered, run here: the host's wget and sha256sum stand in for the
     * busybox the pod copies in, etcd 3.4's etcdctl for etcdutl, a temporary directory for the data volume.
     */
    @Test
    void theRenderedRestoreStepRestoresOnceIntoAnEmptyDataDirectoryAndRefusesABadDigest() throws Exception {
        var kv = fixtures.kv(fixtures.member);
        kv.put("/registry/secrets/default/restored-by-script", "yes".getBytes(StandardCharsets.UTF_8));
        Clock clock = Clock.fixed(Instant.parse("2026-11-30T03:00:00Z"), ZoneOffset.UTC);
        EtcdBackupJob.Result result = new EtcdBackupJob(store, new CaBundleCipher(KEY), clock)
                .run(
                        new EtcdBackupJob.Target("sks", "team-a", "script", UID, Optional.empty(), Optional.empty()),
                        snapshotOf(fixtures.member),
                        caBundle());
        String url =
                store.presignGet(result.snapshotKey(), Duration.ofMinutes(10)).toString();

        LocalEtcd.Member target = fixtures.etcd.member("restored-by-script");
        Path volume = Files.createDirectories(directory.resolve("script-volume"));
        // The member's data directory as LocalEtcd starts it: the volume's "data" is linked there.
        Path dataDir = directory.resolve("etcd").resolve(target.name + ".data");
        String script = RestoreScripts.local(target, volume);
        assertThat(RestoreScripts.run(script, target, url, "0".repeat(64)).exitCode())
                .as("a snapshot whose digest does not match is never restored")
                .isNotZero();
        assertThat(volume.resolve("data")).doesNotExist();
        RestoreScripts.Run run = RestoreScripts.run(script, target, url, result.sha256());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(volume.resolve("data/member")).isDirectory();
        assertThat(volume.resolve("restore.snapshot")).doesNotExist();
        RestoreScripts.Run again = RestoreScripts.run(script, target, url, result.sha256());
        assertThat(again.output()).contains("etcd data present: nothing to restore");

        Files.createSymbolicLink(dataDir, volume.resolve("data"));
        target.start(target.initialClusterEntry(), "new");
        fixtures.etcd.awaitStarted(fixtures.members(target), 1);
        assertThat(fixtures.kv(target).get("/registry/secrets/default/restored-by-script"))
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .contains("yes");
    }

    @Test
    void aSnapshotFromAnUnreachableMemberFailsWithoutAnObject() throws Exception {
        LocalEtcd.Member never = fixtures.etcd.member("never-started");
        EtcdBackupJob job = new EtcdBackupJob(store, new CaBundleCipher(KEY), Clock.systemUTC());
        EtcdBackupJob.Target target =
                new EtcdBackupJob.Target("sks", "team-a", "down", UID, Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> job.run(target, snapshotOf(never), caBundle()))
                .isInstanceOf(BackupException.class)
                .satisfies(e -> assertThat(((BackupException) e).reason()).isEqualTo("EtcdUnreachable"));
        assertThat(store.list("sks/team-a/down/")).isEmpty();
    }

    static EtcdBackupJob.SnapshotSource snapshotOf(LocalEtcd.Member member) {
        return () -> {
            try {
                return fixtures.maintenance(member).snapshot();
            } catch (EtcdException e) {
                throw new BackupException("EtcdUnreachable", e.getMessage(), e);
            }
        };
    }

    /** etcdctl snapshot restore into the data directory the member will start on (etcd 3.4's tool). */
    static void restore(Path snapshot, LocalEtcd.Member member) throws Exception {
        Path dataDir = directory.resolve("etcd").resolve(member.name + ".data");
        Process process = new ProcessBuilder(
                        TestBinaries.require("etcdctl").toString(),
                        "snapshot",
                        "restore",
                        snapshot.toString(),
                        "--data-dir=" + dataDir,
                        "--name=" + member.name,
                        "--initial-cluster=" + member.initialClusterEntry(),
                        "--initial-advertise-peer-urls=" + member.peerUrl(),
                        "--initial-cluster-token=restored")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    static CaBundle caBundle() throws BackupException {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (CaBundle.Role role : CaBundle.Role.values()) {
            String name = role.secretName("prod");
            secrets.put(
                    name,
                    new SecretBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withType("kubernetes.io/tls")
                            .withData(Map.of(
                                    "tls.crt", b64(role + "-certificate"), "tls.key", b64("fake-ca-key-" + role)))
                            .build());
        }
        return CaBundle.of("prod", secrets);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static List<String> keys(List<ObjectStore.StoredObject> objects) {
        return objects.stream().map(ObjectStore.StoredObject::key).toList();
    }
}
