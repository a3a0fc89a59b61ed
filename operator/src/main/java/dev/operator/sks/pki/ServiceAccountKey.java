package dev.operator.sks.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/**
 * The key pair kube-apiserver signs service-account tokens with
 * ({@code --service-account-signing-key-file}) and verifies them with
 * ({@code --service-account-key-file}); kube-controller-manager also signs with the private key.
 * It has no certificate.
 *
 * <p>{@link #toString()} never prints the private key.
 */
public record ServiceAccountKey(PublicKey publicKey, PrivateKey privateKey) {

    public ServiceAccountKey {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    public static ServiceAccountKey of(KeyPair keyPair) {
        return new ServiceAccountKey(keyPair.getPublic(), keyPair.getPrivate());
    }

    /**
     * Reads back a stored pair.
     *
     * @throws PkiException if either cannot be parsed or they do not belong together
     */
    public static ServiceAccountKey fromPem(String publicKeyPem, String privateKeyPem) {
        PublicKey publicKey = Pem.parsePublicKey(publicKeyPem);
        PrivateKey privateKey = Pem.parsePrivateKey(privateKeyPem);
        if (!KeyPairs.matches(publicKey, privateKey)) {
            throw new PkiException("service-account private key does not belong to the public key");
        }
        return new ServiceAccountKey(publicKey, privateKey);
    }

    public KeyPair keyPair() {
        return new KeyPair(publicKey, privateKey);
    }

    /** {@code PUBLIC KEY}. */
    public String publicKeyPem() {
        return Pem.encodePublicKey(publicKey);
    }

    /** PKCS#8 {@code PRIVATE KEY}. */
    public String privateKeyPem() {
        return Pem.encodePrivateKey(privateKey);
    }

    @Override
    public String toString() {
        return "ServiceAccountKey[algorithm=" + publicKey.getAlgorithm() + ", privateKey=(redacted)]";
    }
}
