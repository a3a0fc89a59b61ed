package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.RestoreSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.backup.BackupException;
import dev.operator.sks.backup.CaBundle;
import dev.operator.sks.backup.CaBundleCipher;
import dev.operator.sks.backup.EtcdBackups;
import dev.operator.sks.backup.ObjectStore;
import dev.operator.sks.naming.BackupKeys;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prepares a cluster made from a backup ({@code spec.restore}) before anything else of it is made: finds the snapshot
 * (the key given, or the newest backup of {@code fromCluster} in the cluster's own namespace: a restore never reads
 * another namespace's backups), decrypts its CA bundle and writes the cluster's CA and service-account Secrets from it
 * before the PKI would generate new ones, so the old cluster's kubeconfigs and nodes trust the new one; and writes the
 * Secret from which the etcd members download the snapshot. Done once: {@code status.restoredFrom} records it.
 */
final class ClusterRestore {
    static final String LATEST = "latest";
    /** How long the members may take to download the snapshot after the restore is prepared. */
    static final Duration URL_VALIDITY = Duration.ofHours(24);

    private static final int MAX_CA_BUNDLE = 1 << 20;

    private final Optional<EtcdBackups> backups;

    ClusterRestore(Optional<EtcdBackups> backups) {
        this.backups = backups;
    }

    /** Whether the cluster is to be restored and that is not prepared yet. */
    static boolean pending(SKSCluster cluster, SKSClusterStatus status) {
        return cluster.getSpec().restore != null && status.restoredFrom == null;
    }

    /**
     * @return the snapshot key restored
     * @throws BackupException with the reason and what to fix; nothing of the cluster is made meanwhile
     */
    String prepare(SKSCluster cluster, OwnedObjects objects) throws BackupException {
        EtcdBackups store = backups.orElseThrow(() -> new BackupException(
                "BackupStoreNotConfigured",
                "spec.restore needs the operator's backup store: set SKS_BACKUP_S3_ENDPOINT and SKS_BACKUP_S3_BUCKET"));
        RestoreSpec restore = cluster.getSpec().restore;
        String namespace = cluster.getMetadata().getNamespace();
        String prefix = BackupKeys.clusterPrefix(store.settings().keyPrefix(), namespace, restore.fromCluster);
        try (ObjectStore objects3 = store.openStore()) {
            BackupKeys.Parsed chosen;
            String snapshotKey;
            if (restore.snapshot == null || restore.snapshot.isBlank() || LATEST.equals(restore.snapshot)) {
                Map<String, BackupKeys.Parsed> complete = new LinkedHashMap<>();
                for (ObjectStore.StoredObject o : objects3.list(prefix)) {
                    BackupKeys.parse(prefix, o.key())
                            .filter(BackupKeys.Parsed::isSnapshot)
                            .ifPresent(p -> complete.put(o.key(), p));
                }
                Map.Entry<String, BackupKeys.Parsed> newest = complete.entrySet().stream()
                        .max(Comparator.comparing(e -> e.getValue().taken()))
                        .orElseThrow(() -> new BackupException(
                                "BackupNotFound",
                                "no backup of the cluster "
                                        + restore.fromCluster + " in namespace " + namespace
                                        + " is in the store (under "
                                        + prefix + "); check spec.restore.fromCluster"));
                snapshotKey = newest.getKey();
                chosen = newest.getValue();
            } else {
                snapshotKey = restore.snapshot;
                chosen = BackupKeys.parse(prefix, snapshotKey)
                        .filter(BackupKeys.Parsed::isSnapshot)
                        .orElseThrow(() -> new BackupException(
                                "InvalidSnapshot",
                                "spec.restore.snapshot '"
                                        + restore.snapshot + "' is not a snapshot of the cluster " + restore.fromCluster
                                        + " in this namespace (keys look like " + prefix + "<uid>/<time>/"
                                        + BackupKeys.SNAPSHOT + "), nor \"latest\""));
            }
            String sha256 = objects3.metadata(snapshotKey).get(BackupKeys.SHA256_METADATA);
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new BackupException(
                        "InvalidSnapshot",
                        snapshotKey + " carries no SHA-256 in its metadata: " + "not a backup the operator finished");
            }
            String caKey = BackupKeys.caBundleOf(snapshotKey);
            byte[] sealed = objects3.get(caKey, MAX_CA_BUNDLE);
            CaBundle cas = CaBundle.fromJson(
                    new CaBundleCipher(store.encryptionKey()).decrypt(sealed, chosen.clusterUid(), caKey), caKey);
            writeAuthorities(cluster, objects, cas);
            objects.apply(secret(
                    cluster,
                    Names.etcdRestore(cluster.getMetadata().getName()),
                    "Opaque",
                    Map.of(
                            "url",
                                    b64(objects3.presignGet(snapshotKey, URL_VALIDITY)
                                            .toString()),
                            "sha256", b64(sha256))));
            return snapshotKey;
        }
    }

    /** Each CA Secret from the bundle, unless the cluster already has it (a restore prepared halfway before). */
    private static void writeAuthorities(SKSCluster cluster, OwnedObjects objects, CaBundle cas)
            throws BackupException {
        String name = cluster.getMetadata().getName();
        for (CaBundle.Role role : CaBundle.Role.values()) {
            String secretName = role.secretName(name);
            Optional<Secret> existing = objects.fresh(Secret.class, secretName);
            if (existing.isPresent()) {
                if (!Owners.isControlledBy(existing.get(), cluster)) {
                    throw new BackupException(
                            "NameConflict",
                            "the Secret " + secretName + " exists and is not "
                                    + "this cluster's: delete it so the restored CA can be written");
                }
                continue;
            }
            CaBundle.Entry entry = cas.entries().get(role);
            objects.create(secret(cluster, secretName, entry.type(), entry.data()));
        }
    }

    private static Secret secret(SKSCluster cluster, String name, String type, Map<String, String> data) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(cluster.getMetadata().getName(), "pki"))
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .withType(type)
                .withData(data)
                .build();
    }

    private static String b64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
