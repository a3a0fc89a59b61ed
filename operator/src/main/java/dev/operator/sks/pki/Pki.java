package dev.operator.sks.pki;

import java.security.KeyPair;
import java.time.Duration;

/**
 * Makes the keys and certificates of a hosted control plane.
 *
 * <p>Every call generates fresh random keys or serials: call it only where the result is stored
 * right away (a Secret created once), never from code that may run twice for one outcome, such as
 * a dependent resource's {@code desired()}.
 */
public interface Pki {

    /** How long a CA lives. Rotating a CA touches every node, so it is long. */
    Duration CA_VALIDITY = Duration.ofDays(3650);

    /** How long a leaf lives; {@link RenewalPolicy} renews it well before. */
    Duration LEAF_VALIDITY = Duration.ofDays(365);

    KeyPair generateKeyPair(KeyAlgorithm algorithm);

    /**
     * A self-signed CA: BasicConstraints CA:true and KeyUsage keyCertSign, cRLSign,
     * digitalSignature, both critical; a SubjectKeyIdentifier.
     */
    IssuedCertificate createCa(String commonName, KeyAlgorithm algorithm, Duration validity);

    /** A CA with the default algorithm and {@link #CA_VALIDITY}. */
    default IssuedCertificate createCa(String commonName) {
        return createCa(commonName, KeyAlgorithm.DEFAULT, CA_VALIDITY);
    }

    /** A leaf certificate with a new key of {@code request.keyAlgorithm()}, signed by {@code issuer}. */
    IssuedCertificate issue(CertificateRequest request, IssuedCertificate issuer);

    /**
     * A leaf certificate for a key the caller already has, say to renew a certificate without
     * changing its key. {@code request.keyAlgorithm()} is ignored: the key is what it is.
     */
    IssuedCertificate issue(CertificateRequest request, KeyPair subjectKeyPair, IssuedCertificate issuer);

    /** A new service-account token signing key pair. */
    default ServiceAccountKey generateServiceAccountKey(KeyAlgorithm algorithm) {
        return ServiceAccountKey.of(generateKeyPair(algorithm));
    }
}
