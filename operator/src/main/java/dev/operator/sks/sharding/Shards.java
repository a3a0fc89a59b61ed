package dev.operator.sks.sharding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which shard owns a namespace: the first 8 bytes of the namespace's SHA-256, unsigned, modulo the shard count. A pure
 * function of the name, so every replica (and every release of the operator) agrees without talking to the others,
 * and a cluster, its nodepools, kubeconfig requests and instance pools, all in one namespace, land on one shard.
 */
public final class Shards {
    private Shards() {}

    /** The shard of {@code namespace} among {@code shards}: 0 ≤ result < shards. */
    public static int of(String namespace, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, not " + shards);
        }
        if (shards == 1) {
            return 0;
        }
        long bits = ByteBuffer.wrap(sha256(namespace)).getLong();
        return (int) Long.remainderUnsigned(bits, shards);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
