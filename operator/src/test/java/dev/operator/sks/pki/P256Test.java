package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.Test;

/** The lightweight P-256 code against the JDK's own: each accepts what the other makes. */
class P256Test {
    static final byte[] CONTENT = "tbsCertificate stand-in".getBytes(StandardCharsets.US_ASCII);
    final SecureRandom random = new SecureRandom();

    @Test
    void itsKeysSignAndVerifyWithTheJdk() throws Exception {
        KeyPair pair = P256.generate(random);
        assertThat(pair.getPublic().getAlgorithm()).isEqualTo("EC");
        assertThat(KeyAlgorithm.of(pair.getPublic())).isEqualTo(KeyAlgorithm.ECDSA_P256);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(CONTENT);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(CONTENT);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void itsSignaturesVerifyWithTheJdkAndOnlyForTheirKeyAndContent() throws Exception {
        KeyPair jdk = jdkPair();
        KeyPair other = jdkPair();
        byte[] signature = sign((ECPrivateKey) jdk.getPrivate(), CONTENT);

        assertThat(verify(jdk, CONTENT, signature)).isTrue();
        assertThat(verify(other, CONTENT, signature)).isFalse();
        assertThat(verify(jdk, "other content".getBytes(StandardCharsets.US_ASCII), signature))
                .isFalse();
        // Deterministic nonces: the same key and content sign the same.
        assertThat(sign((ECPrivateKey) jdk.getPrivate(), CONTENT)).isEqualTo(signature);
    }

    @Test
    void aPairMatchesOnlyItsOwnPublicKey() throws Exception {
        KeyPair jdk = jdkPair();
        KeyPair ours = P256.generate(random);
        assertThat(P256.matches((ECPublicKey) jdk.getPublic(), (ECPrivateKey) jdk.getPrivate()))
                .isTrue();
        assertThat(P256.matches((ECPublicKey) ours.getPublic(), (ECPrivateKey) ours.getPrivate()))
                .isTrue();
        assertThat(P256.matches((ECPublicKey) jdk.getPublic(), (ECPrivateKey) ours.getPrivate()))
                .isFalse();
        assertThat(KeyPairs.matches(ours.getPublic(), jdk.getPrivate())).isFalse();
        assertThat(KeyPairs.matches(ours.getPublic(), ours.getPrivate())).isTrue();
    }

    private KeyPair jdkPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static byte[] sign(ECPrivateKey key, byte[] content) throws Exception {
        ContentSigner signer = P256.signer(key);
        try (OutputStream out = signer.getOutputStream()) {
            out.write(content);
        }
        return signer.getSignature();
    }

    private static boolean verify(KeyPair pair, byte[] content, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(content);
        return verifier.verify(signature);
    }
}
