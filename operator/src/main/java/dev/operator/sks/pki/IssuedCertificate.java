package dev.operator.sks.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * A certificate and its private key, as the operator stores them in a Secret ({@code tls.crt},
 * {@code tls.key}) and reads them back.
 *
 * <p>{@link #toString()} names the certificate and never prints the key.
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {

    public IssuedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /**
     * Reads back a stored certificate and key. If {@code certificatePem} holds a chain, the first
     * certificate is the one the key belongs to.
     *
     * @throws PkiException if either cannot be parsed, or the key is not the certificate's key
     */
    public static IssuedCertificate fromPem(String certificatePem, String privateKeyPem) {
        X509Certificate certificate = Pem.parseCertificate(certificatePem);
        PrivateKey privateKey = Pem.parsePrivateKey(privateKeyPem);
        if (!SignatureChecks.keyPairMatches(certificate.getPublicKey(), privateKey)) {
            throw new PkiException("private key does not belong to certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
        return new IssuedCertificate(certificate, privateKey);
    }

    public KeyPair keyPair() {
        return new KeyPair(certificate.getPublicKey(), privateKey);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public String certificatePem() {
        return Pem.encodeCertificate(certificate);
    }

    /** PKCS#8 {@code PRIVATE KEY}. */
    public String privateKeyPem() {
        return Pem.encodePrivateKey(privateKey);
    }

    @Override
    public String toString() {
        return "IssuedCertificate[subject="
                + certificate.getSubjectX500Principal().getName()
                + ", serial=" + certificate.getSerialNumber().toString(16)
                + ", notAfter=" + notAfter()
                + ", key=" + privateKey.getAlgorithm() + " (redacted)]";
    }
}
