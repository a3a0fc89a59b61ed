package dev.operator.sks.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/** Checks on keys read back from storage. */
final class KeyPairs {

    private static final byte[] CHALLENGE = "sks-operator key pair check".getBytes(StandardCharsets.US_ASCII);

    private KeyPairs() {}

    /**
     * Whether the private key belongs to the public key. A Secret whose tls.key was swapped for
     * another key must fail here, not later in a TLS handshake of some control-plane pod. A P-256
     * pair is checked by deriving the public point from the private scalar (a fifth of the time of
     * a signature made and verified with SunEC); any other pair by signing and verifying, which
     * works the same for every algorithm and proves the pair usable.
     */
    static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
        if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
            return false;
        }
        if (publicKey instanceof ECPublicKey ecPublic
                && privateKey instanceof ECPrivateKey ecPrivate
                && P256.isP256(ecPublic.getParams())
                && P256.isP256(ecPrivate.getParams())) {
            return P256.matches(ecPublic, ecPrivate);
        }
        try {
            String algorithm = KeyAlgorithm.signatureAlgorithmFor(privateKey);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key that cannot sign with this algorithm (say, a different curve) does not match.
            return false;
        }
    }
}
