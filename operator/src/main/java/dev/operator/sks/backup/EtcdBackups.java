package dev.operator.sks.backup;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.BackupSettings;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.HttpEtcdMaintenance;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs etcd backups off the reconcile threads, at most {@link BackupSettings#concurrency} at once, one per cluster at
 * a time, and keeps each cluster's last outcome until the cluster reconciles it into status. Each backup reads what it
 * needs when it runs (the store's credentials and the encryption key from the operator's Secrets, the cluster's CA
 * Secrets), so a rotated credential is used from the next backup on.
 */
public final class EtcdBackups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdBackups.class);

    /** A finished backup, success or failure, and the backup-now value it answered. */
    public sealed interface Outcome {
        Instant finished();

        Optional<String> request();
    }

    public record Succeeded(EtcdBackupJob.Result result, Optional<String> request, Instant finished)
            implements Outcome {}

    public record Failed(String reason, String message, Optional<String> request, Instant finished)
            implements Outcome {}

    /** What a backup of one cluster needs from the reconcile that starts it. */
    public record Request(
            SKSCluster cluster,
            int members,
            Optional<Integer> keepCount,
            Optional<Duration> keepMaxAge,
            Optional<String> request) {}

    private final KubernetesClient management;
    private final BackupSettings settings;
    private final EtcdConnector etcd;
    private final Clock clock;
    private final ExecutorService workers;
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

    public EtcdBackups(KubernetesClient management, BackupSettings settings, EtcdConnector etcd, Clock clock) {
        this.management = management;
        this.settings = settings;
        this.etcd = etcd;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread thread = new Thread(r, "sks-etcd-backup");
            thread.setDaemon(true);
            return thread;
        });
    }

    public BackupSettings settings() {
        return settings;
    }

    public boolean running(String clusterUid) {
        return running.containsKey(clusterUid);
    }

    /** The last finished backup of the cluster, until {@link #forget}. */
    public Optional<Outcome> last(String clusterUid) {
        return Optional.ofNullable(outcomes.get(clusterUid));
    }

    /** Starts a backup unless one of this cluster runs; false when one does. */
    public boolean start(Request request) {
        String uid = request.cluster().getMetadata().getUid();
        if (running.putIfAbsent(uid, Boolean.TRUE) != null) {
            return false;
        }
        workers.submit(() -> {
            try {
                outcomes.put(uid, run(request));
            } catch (RuntimeException e) {
                LOG.warn(
                        "backup of {}/{} failed unexpectedly",
                        request.cluster().getMetadata().getNamespace(),
                        request.cluster().getMetadata().getName(),
                        e);
                outcomes.put(
                        uid,
                        new Failed("BackupCrashed", e.getClass().getSimpleName(), request.request(), clock.instant()));
            } finally {
                running.remove(uid);
            }
        });
        return true;
    }

    public void forget(String clusterUid) {
        outcomes.remove(clusterUid);
    }

    Outcome run(Request request) {
        SKSCluster cluster = request.cluster();
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        try (ObjectStore store = openStore()) {
            CaBundleCipher cipher = new CaBundleCipher(encryptionKey());
            CaBundle cas = CaBundle.of(name, caSecrets(cluster));
            HttpEtcdMaintenance member = votingMember(cluster, request.members());
            EtcdBackupJob.Target target = new EtcdBackupJob.Target(
                    settings.keyPrefix(),
                    namespace,
                    name,
                    cluster.getMetadata().getUid(),
                    request.keepCount(),
                    request.keepMaxAge());
            EtcdBackupJob.Result result = new EtcdBackupJob(store, cipher, clock)
                    .run(
                            target,
                            () -> {
                                try {
                                    return member.snapshot();
                                } catch (EtcdException e) {
                                    throw new BackupException("EtcdUnreachable", e.getMessage(), e);
                                }
                            },
                            cas);
            LOG.info(
                    "backed up {}/{} to {} ({} bytes in {} ms, {} expired objects deleted)",
                    namespace,
                    name,
                    result.snapshotKey(),
                    result.size(),
                    result.took().toMillis(),
                    result.deleted().size());
            return new Succeeded(result, request.request(), clock.instant());
        } catch (BackupException e) {
            LOG.info("backup of {}/{} failed: {}: {}", namespace, name, e.reason(), e.getMessage());
            return new Failed(e.reason(), e.getMessage(), request.request(), clock.instant());
        }
    }

    /** The store with the credentials its Secret holds now; the caller closes it. */
    public ObjectStore openStore() throws BackupException {
        Secret credentials = operatorSecret(
                settings.credentialsNamespace(), settings.credentialsSecret(), "StoreCredentialsMissing");
        String accessKey = text(credentials, BackupSettings.ACCESS_KEY_ID, "StoreCredentialsMissing");
        String secretKey = text(credentials, BackupSettings.SECRET_ACCESS_KEY, "StoreCredentialsMissing");
        return new S3ObjectStore(
                new S3ObjectStore.Settings(
                        settings.endpoint().orElseThrow(), settings.region(), settings.bucket(), settings.pathStyle()),
                accessKey,
                secretKey);
    }

    public byte[] encryptionKey() throws BackupException {
        Secret secret =
                operatorSecret(settings.encryptionNamespace(), settings.encryptionSecret(), "EncryptionKeyMissing");
        byte[] key = bytes(secret, BackupSettings.ENCRYPTION_KEY, "EncryptionKeyMissing");
        if (key.length != CaBundleCipher.KEY_BYTES) {
            throw new BackupException(
                    "EncryptionKeyMissing",
                    "the key '" + BackupSettings.ENCRYPTION_KEY
                            + "' of the Secret " + settings.encryptionNamespace() + "/" + settings.encryptionSecret()
                            + " holds " + key.length
                            + " bytes; AES-256 needs exactly 32 (e.g. head -c 32 /dev/urandom)");
        }
        return key;
    }

    /** The CA Secrets the cluster made (controller reference to its UID), by name; never someone else's. */
    private Map<String, Secret> caSecrets(SKSCluster cluster) throws BackupException {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (CaBundle.Role role : CaBundle.Role.values()) {
            String secretName = role.secretName(cluster.getMetadata().getName());
            Secret secret;
            try {
                secret = management
                        .secrets()
                        .inNamespace(cluster.getMetadata().getNamespace())
                        .withName(secretName)
                        .get();
            } catch (KubernetesClientException e) {
                throw new BackupException(
                        "CertificatesMissing", "cannot read the Secret " + secretName + ": HTTP " + e.getCode(), e);
            }
            if (secret != null && Owners.isControlledBy(secret, cluster)) {
                secrets.put(secretName, secret);
            }
        }
        return secrets;
    }

    /** The first member that answers as a healthy voter (a learner's snapshot may lag behind). */
    private HttpEtcdMaintenance votingMember(SKSCluster cluster, int members) throws BackupException {
        List<String> refusals = new ArrayList<>();
        for (int ordinal = 0; ordinal < Math.max(1, members); ordinal++) {
            String url = EtcdRenderer.memberClientUrl(
                    cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), ordinal);
            try {
                HttpEtcdMaintenance member = etcd.snapshots(management, cluster, url);
                HttpEtcdMaintenance.Status status = member.status();
                if (status.learner()) {
                    refusals.add("member " + ordinal + " is a learner");
                } else if (!status.healthy()) {
                    refusals.add("member " + ordinal + " reports " + status.errors());
                } else {
                    return member;
                }
            } catch (EtcdException e) {
                refusals.add(e.getMessage());
            }
        }
        throw new BackupException(
                "EtcdUnreachable", "no healthy voting etcd member answered: " + String.join("; ", refusals));
    }

    private Secret operatorSecret(String namespace, String name, String reason) throws BackupException {
        Secret secret;
        try {
            secret = management.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new BackupException(
                    reason, "cannot read the Secret " + namespace + "/" + name + ": HTTP " + e.getCode(), e);
        }
        if (secret == null) {
            throw new BackupException(reason, "the operator's Secret " + namespace + "/" + name + " does not exist");
        }
        return secret;
    }

    private static String text(Secret secret, String key, String reason) throws BackupException {
        return new String(bytes(secret, key, reason), java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    private static byte[] bytes(Secret secret, String key, String reason) throws BackupException {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null || value.isEmpty()) {
            throw new BackupException(
                    reason,
                    "the Secret " + secret.getMetadata().getNamespace() + "/"
                            + secret.getMetadata().getName() + " has no key '" + key + "'");
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new BackupException(
                    reason, "the Secret " + secret.getMetadata().getName() + " has '" + key + "' not in base64");
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
