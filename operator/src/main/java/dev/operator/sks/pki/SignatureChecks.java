package dev.operator.sks.pki;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The signature checks a reconcile repeats on the same bytes: whether a stored private key belongs to its certificate
 * ({@link IssuedCertificate#fromPem}) and whether a certificate was signed by its CA. Each is elliptic-curve work (a
 * signature made and verified, or one verified), and every reconcile of a cluster reads the same CAs and leaves again:
 * at a thousand new clusters these checks were a sixth of the operator's CPU.
 *
 * <p>A check that passed is remembered by a digest of what it checked (SHA-256 over the encodings, 128 bits kept; the
 * memo holds no key and no certificate) and answered from memory after. A failure is not remembered: it is checked
 * again each time, so nothing that failed once can pass by the memo. The memo forgets everything once it holds
 * {@link #REMEMBERED} passes, a few MiB at most.
 *
 * <p>What the PKI made itself is remembered as it is made ({@link #generated}, {@link #signed}): a key pair it
 * generated matches, and a certificate it signed with a pair known to match is signed by that pair's public key. A
 * new cluster's CAs and leaves are read back on its next reconcile, and checking them then was a seventh of the
 * operator's CPU at a thousand new clusters, for facts known when the keys were made.
 */
public final class SignatureChecks {
    static final int REMEMBERED = 65_536;

    private static final byte KEY_PAIR = 1;
    private static final byte SIGNED_BY = 2;
    private static final Set<Digest> PASSED = ConcurrentHashMap.newKeySet();
    /** Checks actually run (not answered from memory), for tests. */
    private static final AtomicLong RUN = new AtomicLong();

    private record Digest(long high, long low) {}

    private SignatureChecks() {}

    /** Whether {@code certificate} carries a valid signature of {@code issuer}'s key. */
    public static boolean signedBy(X509Certificate certificate, PublicKey issuer) {
        byte[] encoded;
        try {
            encoded = certificate.getEncoded();
        } catch (GeneralSecurityException unencodable) {
            return false;
        }
        return remembered(digest(SIGNED_BY, encoded, issuer.getEncoded()), () -> {
            try {
                certificate.verify(issuer);
                return true;
            } catch (GeneralSecurityException notSignedByIssuer) {
                return false;
            }
        });
    }

    /** Whether the private key belongs to the public key ({@link KeyPairs#matches}, remembered). */
    static boolean keyPairMatches(PublicKey publicKey, PrivateKey privateKey) {
        byte[] privateEncoded = privateKey.getEncoded();
        if (privateEncoded == null) {
            return KeyPairs.matches(publicKey, privateKey); // a key that cannot be encoded is checked each time
        }
        return remembered(
                digest(KEY_PAIR, publicKey.getEncoded(), privateEncoded),
                () -> KeyPairs.matches(publicKey, privateKey));
    }

    /** A key pair the PKI generated: its halves belong together. */
    static void generated(X509Certificate certificate, PrivateKey privateKey) {
        byte[] privateEncoded = privateKey.getEncoded();
        if (privateEncoded != null) {
            remember(digest(KEY_PAIR, certificate.getPublicKey().getEncoded(), privateEncoded));
        }
    }

    /**
     * A certificate the PKI signed with {@code issuer}'s private key: remembered as signed by the issuer's public key
     * only when that pair is known to match (generated here, or read back and checked), since a record built by hand
     * could pair a certificate with a foreign key.
     */
    static void signed(X509Certificate certificate, IssuedCertificate issuer) {
        byte[] issuerPrivate = issuer.privateKey().getEncoded();
        byte[] issuerPublic = issuer.certificate().getPublicKey().getEncoded();
        if (issuerPrivate == null || !PASSED.contains(digest(KEY_PAIR, issuerPublic, issuerPrivate))) {
            return;
        }
        try {
            remember(digest(SIGNED_BY, certificate.getEncoded(), issuerPublic));
        } catch (GeneralSecurityException unencodable) {
            // not remembered: checked when asked
        }
    }

    /** How many checks were run rather than answered from memory, since start. */
    static long checksRun() {
        return RUN.get();
    }

    private static boolean remembered(Digest digest, BooleanSupplier check) {
        if (PASSED.contains(digest)) {
            return true;
        }
        RUN.incrementAndGet();
        boolean passed = check.getAsBoolean();
        if (passed) {
            remember(digest);
        }
        return passed;
    }

    private static void remember(Digest digest) {
        if (PASSED.size() >= REMEMBERED) {
            PASSED.clear();
        }
        PASSED.add(digest);
    }

    private static Digest digest(byte kind, byte[] first, byte[] second) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        sha256.update(kind);
        // Lengths first: no two different pairs of inputs hash the same bytes.
        sha256.update(ByteBuffer.allocate(8)
                .putInt(first.length)
                .putInt(second.length)
                .array());
        sha256.update(first);
        sha256.update(second);
        ByteBuffer hash = ByteBuffer.wrap(sha256.digest());
        return new Digest(hash.getLong(), hash.getLong());
    }
}
