package dev.operator.sks.naming;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object keys of etcd backups in the object store:
 * {@code <prefix>/<namespace>/<cluster>/<cluster uid>/<yyyyMMdd'T'HHmmss'Z'>/etcd.snapshot} and, next to it, the
 * encrypted CA bundle {@code .../ca-bundle.enc}. The UID keeps the backups of a deleted cluster apart from those of a
 * new one with the same name (whose retention never deletes them), while a restore can still find every backup of a
 * name. Retention deletes only keys that {@link #parse} recognizes, under the cluster's own UID.
 */
public final class BackupKeys {
    public static final String SNAPSHOT = "etcd.snapshot";
    public static final String CA_BUNDLE = "ca-bundle.enc";
    /** Object metadata (x-amz-meta-sha256): the snapshot's SHA-256 in hex. */
    public static final String SHA256_METADATA = "sha256";
    /** Object metadata: the UID of the cluster the backup was taken of, the CA bundle's associated data. */
    public static final String CLUSTER_UID_METADATA = "cluster-uid";

    private static final DateTimeFormatter TAKEN =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern BACKUP = Pattern.compile("([0-9a-fA-F-]{1,64})/([0-9]{8}T[0-9]{6}Z)/("
            + Pattern.quote(SNAPSHOT) + "|" + Pattern.quote(CA_BUNDLE) + ")");

    /** One object of a backup, read back from its key. */
    public record Parsed(String clusterUid, Instant taken, String file) {
        public boolean isSnapshot() {
            return SNAPSHOT.equals(file);
        }
    }

    private BackupKeys() {}

    /** Every backup of a cluster name, whichever UID it had: {@code <prefix>/<namespace>/<cluster>/}. */
    public static String clusterPrefix(String prefix, String namespace, String cluster) {
        return normalized(prefix) + namespace + "/" + cluster + "/";
    }

    /** The backups of one cluster: what its retention may delete. */
    public static String uidPrefix(String prefix, String namespace, String cluster, String uid) {
        return clusterPrefix(prefix, namespace, cluster) + uid + "/";
    }

    public static String snapshot(String prefix, String namespace, String cluster, String uid, Instant taken) {
        return uidPrefix(prefix, namespace, cluster, uid) + TAKEN.format(taken) + "/" + SNAPSHOT;
    }

    public static String caBundle(String prefix, String namespace, String cluster, String uid, Instant taken) {
        return uidPrefix(prefix, namespace, cluster, uid) + TAKEN.format(taken) + "/" + CA_BUNDLE;
    }

    /** The CA bundle that goes with a snapshot key. */
    public static String caBundleOf(String snapshotKey) {
        if (!snapshotKey.endsWith("/" + SNAPSHOT)) {
            throw new IllegalArgumentException("'" + snapshotKey + "' is not a snapshot key");
        }
        return snapshotKey.substring(0, snapshotKey.length() - SNAPSHOT.length()) + CA_BUNDLE;
    }

    /**
     * A key under {@code clusterPrefix} that this naming produced; empty for anything else (someone's own objects in
     * the bucket, a key with more or fewer parts), which is then never deleted.
     */
    public static Optional<Parsed> parse(String clusterPrefix, String key) {
        if (!key.startsWith(clusterPrefix)) {
            return Optional.empty();
        }
        Matcher m = BACKUP.matcher(key.substring(clusterPrefix.length()));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(m.group(1), Instant.from(TAKEN.parse(m.group(2))), m.group(3)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A prefix ending in one slash, or nothing. */
    static String normalized(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "" : p + "/";
    }
}
