package dev.operator.sks.config;

import java.net.URI;
import java.util.Optional;

/**
 * Where etcd backups go: an S3-compatible store (Exoscale SOS, AWS S3, MinIO...) and the operator Secrets holding its
 * credentials (keys {@code access-key-id}, {@code secret-access-key}) and the AES-256 key that encrypts the CA
 * bundles (key {@code key}, 32 bytes). No endpoint: backups are off, and clusters that want them say so.
 */
public record BackupSettings(
        Optional<URI> endpoint,
        String region,
        String bucket,
        boolean pathStyle,
        String keyPrefix,
        String credentialsNamespace,
        String credentialsSecret,
        String encryptionNamespace,
        String encryptionSecret,
        int concurrency) {

    public static final String ACCESS_KEY_ID = "access-key-id";
    public static final String SECRET_ACCESS_KEY = "secret-access-key";
    public static final String ENCRYPTION_KEY = "key";

    public BackupSettings {
        if (endpoint.isPresent() && bucket.isBlank()) {
            throw new IllegalArgumentException(OperatorConfig.Setting.BACKUP_S3_BUCKET.env + " is empty while "
                    + OperatorConfig.Setting.BACKUP_S3_ENDPOINT.env + " is set: name the bucket");
        }
        if (concurrency < 1 || concurrency > 16) {
            throw new IllegalArgumentException(
                    OperatorConfig.Setting.BACKUP_CONCURRENCY.env + " must be between 1 and 16, not " + concurrency);
        }
    }

    public boolean enabled() {
        return endpoint.isPresent();
    }
}
