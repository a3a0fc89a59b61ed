package dev.operator.sks.backup;

import dev.operator.sks.naming.BackupKeys;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One backup of one cluster: stream a snapshot into the store (SHA-256 in its metadata), put the encrypted CA bundle
 * next to it, then apply retention to this cluster's own backups. The snapshot goes first: a CA bundle without a
 * snapshot is useless. Retention and "latest" count a backup by its snapshot. Knows nothing of
 * Kubernetes: the caller hands it a snapshot source and the CA Secrets it read.
 */
public final class EtcdBackupJob {

    /** Opens a member's snapshot stream. */
    @FunctionalInterface
    public interface SnapshotSource {
        InputStream open() throws BackupException;
    }

    /** Who is backed up, where, and what to keep. */
    public record Target(
            String prefix,
            String namespace,
            String cluster,
            String uid,
            Optional<Integer> keepCount,
            Optional<Duration> keepMaxAge) {}

    /** A finished backup. */
    public record Result(
            String snapshotKey,
            String caBundleKey,
            long size,
            String sha256,
            Instant taken,
            Duration took,
            List<String> deleted) {}

    private final ObjectStore store;
    private final CaBundleCipher cipher;
    private final Clock clock;

    public EtcdBackupJob(ObjectStore store, CaBundleCipher cipher, Clock clock) {
        this.store = store;
        this.cipher = cipher;
        this.clock = clock;
    }

    public Result run(Target target, SnapshotSource source, CaBundle cas) throws BackupException {
        Instant taken = clock.instant();
        long started = System.nanoTime(); // a duration measured, not a time decided on: the clock may be a test's
        String snapshotKey =
                BackupKeys.snapshot(target.prefix(), target.namespace(), target.cluster(), target.uid(), taken);
        String caKey = BackupKeys.caBundleOf(snapshotKey);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(BackupKeys.CLUSTER_UID_METADATA, target.uid());
        ObjectStore.Uploaded uploaded;
        try (InputStream snapshot = source.open()) {
            uploaded = store.upload(snapshotKey, snapshot, metadata);
        } catch (IOException e) {
            throw new BackupException("SnapshotFailed", "closing the snapshot stream failed: " + e.getMessage(), e);
        }
        if (uploaded.size() == 0) {
            store.delete(List.of(snapshotKey));
            throw new BackupException("SnapshotFailed", "etcd sent an empty snapshot");
        }
        store.put(caKey, cipher.encrypt(cas.toJson(), target.uid(), caKey), metadata);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        List<String> deleted = applyRetention(target);
        return new Result(snapshotKey, caKey, uploaded.size(), uploaded.sha256(), taken, took, deleted);
    }

    /** Deletes the expired backups of this cluster's UID, only keys {@link BackupKeys} produced. */
    List<String> applyRetention(Target target) throws BackupException {
        String clusterPrefix = BackupKeys.clusterPrefix(target.prefix(), target.namespace(), target.cluster());
        String own = BackupKeys.uidPrefix(target.prefix(), target.namespace(), target.cluster(), target.uid());
        Map<Instant, List<String>> byBackup = new LinkedHashMap<>();
        List<Instant> complete = new ArrayList<>();
        for (ObjectStore.StoredObject object : store.list(own)) {
            Optional<BackupKeys.Parsed> parsed = BackupKeys.parse(clusterPrefix, object.key());
            if (parsed.isEmpty() || !parsed.get().clusterUid().equals(target.uid())) {
                continue;
            }
            byBackup.computeIfAbsent(parsed.get().taken(), t -> new ArrayList<>())
                    .add(object.key());
            if (parsed.get().isSnapshot()) {
                complete.add(parsed.get().taken());
            }
        }
        List<String> deleted = new ArrayList<>();
        for (Instant expired : Retention.expired(complete, target.keepCount(), target.keepMaxAge(), clock.instant())) {
            deleted.addAll(byBackup.get(expired));
        }
        store.delete(deleted);
        return deleted;
    }
}
