package dev.operator.sks.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** The key types the operator generates. */
public enum KeyAlgorithm {

    /**
     * NIST P-256. The default: keys are generated in well under a millisecond (RSA-2048 takes
     * tens to hundreds), certificates and handshakes are smaller, and every Kubernetes component,
     * etcd and kubectl accept it.
     */
    ECDSA_P256("EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA"),

    /** For peers that cannot use ECDSA. */
    RSA_2048("RSA", new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), "SHA256withRSA");

    public static final KeyAlgorithm DEFAULT = ECDSA_P256;

    private final String jcaName;
    private final AlgorithmParameterSpec parameters;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, AlgorithmParameterSpec parameters, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.parameters = parameters;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The JCA key algorithm name, as returned by {@link java.security.Key#getAlgorithm()}. */
    public String jcaName() {
        return jcaName;
    }

    /** The JCA signature algorithm a key of this type signs certificates with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    KeyPair generate(SecureRandom random) {
        if (this == ECDSA_P256) {
            return P256.generate(random);
        }
        try {
            // No provider named: the JDK's own (SunRsaSign) does the work.
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
            generator.initialize(parameters, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot generate a " + this + " key pair", e);
        }
    }

    /**
     * The algorithm of an existing key, so a certificate can be re-issued for it.
     *
     * @throws PkiException for key types and sizes this operator does not generate
     */
    public static KeyAlgorithm of(PublicKey publicKey) {
        if (publicKey instanceof ECPublicKey ec && isP256(ec.getParams())) {
            return ECDSA_P256;
        }
        if (publicKey instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() == 2048) {
            return RSA_2048;
        }
        throw new PkiException(
                "unsupported public key: " + publicKey.getAlgorithm() + " (supported: ECDSA P-256, RSA 2048)");
    }

    private static boolean isP256(ECParameterSpec params) {
        return P256.isP256(params);
    }

    /** The signature algorithm for whatever key signs: EC or RSA of any size. */
    static String signatureAlgorithmFor(java.security.Key signingKey) {
        return switch (signingKey.getAlgorithm()) {
            case "EC" -> ECDSA_P256.signatureAlgorithm;
            case "RSA" -> RSA_2048.signatureAlgorithm;
            default -> throw new PkiException("unsupported signing key algorithm: " + signingKey.getAlgorithm());
        };
    }
}
