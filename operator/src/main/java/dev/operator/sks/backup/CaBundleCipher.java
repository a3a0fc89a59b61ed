package dev.operator.sks.backup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for what goes to the object store next to a snapshot (the cluster's CA keys). Each object gets a random
 * 96-bit nonce; the cluster's UID and the object's key are the associated data, so a bundle moved to another key or
 * presented as another cluster's fails to decrypt instead of handing over its CAs. Layout: one version byte, the
 * nonce, then ciphertext and the 128-bit tag.
 */
public final class CaBundleCipher {
    public static final int KEY_BYTES = 32;
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /** @throws IllegalArgumentException unless the key is 32 bytes (its content is never named) */
    public CaBundleCipher(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the backup encryption key must be " + KEY_BYTES + " bytes (AES-256), "
                    + "not " + (key == null ? 0 : key.length));
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    public byte[] encrypt(byte[] plaintext, String clusterUid, String objectKey) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(clusterUid, objectKey));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "AES-GCM is in every Java runtime: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * @throws BackupException when the object was altered, moved, made for another cluster or under another key
     */
    public byte[] decrypt(byte[] sealed, String clusterUid, String objectKey) throws BackupException {
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new BackupException(
                    "CaBundleUnreadable",
                    "the CA bundle " + objectKey + " is not one the operator " + "wrote (unknown format)");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData(clusterUid, objectKey));
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new BackupException(
                    "CaBundleUnreadable",
                    "the CA bundle " + objectKey + " does not decrypt: it was "
                            + "altered, or encrypted with another key or for another cluster");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "AES-GCM is in every Java runtime: " + e.getClass().getSimpleName(), e);
        }
    }

    private static byte[] associatedData(String clusterUid, String objectKey) {
        return (clusterUid + "\n" + objectKey).getBytes(StandardCharsets.UTF_8);
    }
}
