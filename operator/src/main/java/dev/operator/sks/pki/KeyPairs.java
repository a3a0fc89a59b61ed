package dev.operator.sks.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/** Checks on keys read back from storage. */
final class KeyPairs {

    private static final byte[] CHALLENGE = "sks-operator key pair check".getBytes(StandardCharsets.US_ASCII);

    private KeyPairs() {}

    /**
     * Whether the private key belongs to the public key. Checked by signing and verifying rather
     * than comparing parameters: it works the same for EC and RSA, and proves the pair usable.
     * A Secret whose tls.key was swapped for another key must fail here, not later in a TLS
     * handshake of some control-plane pod.
     */
    static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
        if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
            return false;
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
