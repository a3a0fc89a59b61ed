package dev.operator.sks.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@link Pki} with BouncyCastle's certificate builders over the JDK's JCA providers. Thread-safe.
 */
public final class BouncyCastlePki implements Pki {

    /**
     * notBefore is set this far in the past, so a certificate is valid at once on a machine whose
     * clock lags the operator's a little (kubeadm and cert-manager do the same).
     */
    public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(1);

    static final String SERVER_AUTH_OID = KeyPurposeId.id_kp_serverAuth.getId();
    static final String CLIENT_AUTH_OID = KeyPurposeId.id_kp_clientAuth.getId();

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public BouncyCastlePki(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public KeyPair generateKeyPair(KeyAlgorithm algorithm) {
        return Objects.requireNonNull(algorithm, "algorithm").generate(random);
    }

    @Override
    public IssuedCertificate createCa(String commonName, KeyAlgorithm algorithm, Duration validity) {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("commonName must not be blank");
        }
        requirePositive(validity);
        KeyPair keyPair = generateKeyPair(algorithm);
        Instant now = now();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, commonName)
                .build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                serialNumber(),
                Date.from(now.minus(CLOCK_SKEW_ALLOWANCE)),
                Date.from(now.plus(validity)),
                subject,
                keyPair.getPublic());
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            // No path length limit: the operator issues leaves only, but a limit would forbid an
            // intermediate-based rotation later without buying anything now.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot build CA certificate " + commonName, e);
        }
        X509Certificate certificate = sign(builder, keyPair.getPrivate(), commonName);
        SignatureChecks.generated(certificate, keyPair.getPrivate());
        return new IssuedCertificate(certificate, keyPair.getPrivate());
    }

    @Override
    public IssuedCertificate issue(CertificateRequest request, IssuedCertificate issuer) {
        Objects.requireNonNull(request, "request");
        IssuedCertificate issued = issue(request, generateKeyPair(request.keyAlgorithm()), issuer);
        SignatureChecks.generated(issued.certificate(), issued.privateKey());
        return issued;
    }

    @Override
    public IssuedCertificate issue(CertificateRequest request, KeyPair subjectKeyPair, IssuedCertificate issuer) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(subjectKeyPair, "subjectKeyPair");
        Objects.requireNonNull(issuer, "issuer");
        X509Certificate issuerCertificate = issuer.certificate();
        if (issuerCertificate.getBasicConstraints() < 0) {
            throw new PkiException(
                    "issuer " + issuerCertificate.getSubjectX500Principal().getName() + " is not a CA");
        }
        Instant now = now();
        Instant issuerNotAfter = issuerCertificate.getNotAfter().toInstant();
        if (!now.isBefore(issuerNotAfter)) {
            throw new PkiException("issuer "
                    + issuerCertificate.getSubjectX500Principal().getName() + " expired at " + issuerNotAfter);
        }
        // A leaf cannot outlive its CA: past the CA's expiry no client would accept it anyway,
        // and a notAfter that lies would mislead the renewal schedule.
        Instant notAfter = min(now.plus(request.validity()), issuerNotAfter);
        Instant notBefore = now.minus(CLOCK_SKEW_ALLOWANCE);
        PublicKey subjectKey = subjectKeyPair.getPublic();

        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuerCertificate,
                serialNumber(),
                Date.from(notBefore),
                Date.from(notAfter),
                subjectName(request),
                subjectKey);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // keyEncipherment only for RSA: with RSA key exchange (TLS 1.2) the key encrypts the
            // premaster secret; an EC key never enciphers, and Go rejects nothing either way.
            int keyUsage = KeyUsage.digitalSignature
                    | ("RSA".equals(subjectKey.getAlgorithm()) ? KeyUsage.keyEncipherment : 0);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            builder.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(request));
            GeneralNames subjectAlternativeNames = subjectAlternativeNames(request);
            if (subjectAlternativeNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames);
            }
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey));
            builder.addExtension(
                    Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(issuerCertificate, extensions));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot build certificate " + request.commonName(), e);
        }
        X509Certificate certificate = sign(builder, issuer.privateKey(), request.commonName());
        SignatureChecks.signed(certificate, issuer);
        return new IssuedCertificate(certificate, subjectKeyPair.getPrivate());
    }

    private static X500Name subjectName(CertificateRequest request) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        // O's first, then CN: the order openssl, Go and kubeadm write, so tools print the subject
        // as users expect ("O=system:masters, CN=admin").
        request.organizations().forEach(organization -> name.addRDN(BCStyle.O, organization));
        name.addRDN(BCStyle.CN, request.commonName());
        return name.build();
    }

    private static ExtendedKeyUsage extendedKeyUsage(CertificateRequest request) {
        // Fixed order (server, client) so the same request always yields the same encoding.
        KeyPurposeId[] purposes = request.usages().stream()
                .sorted()
                .map(usage -> usage == CertificateUsage.SERVER_AUTH
                        ? KeyPurposeId.id_kp_serverAuth
                        : KeyPurposeId.id_kp_clientAuth)
                .toArray(KeyPurposeId[]::new);
        return new ExtendedKeyUsage(purposes);
    }

    private static GeneralNames subjectAlternativeNames(CertificateRequest request) {
        int count = request.dnsNames().size() + request.ipAddresses().size();
        if (count == 0) {
            return null; // a client certificate: an empty SAN extension would be invalid (RFC 5280)
        }
        GeneralName[] names = new GeneralName[count];
        int i = 0;
        for (String dnsName : request.dnsNames()) {
            names[i++] = new GeneralName(GeneralName.dNSName, dnsName);
        }
        for (String ip : request.ipAddresses()) {
            names[i++] = new GeneralName(GeneralName.iPAddress, ip); // IPv4 or IPv6 literal
        }
        return new GeneralNames(names);
    }

    /** The issuer's own SKI when it has one, so chain building matches on the exact bytes. */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(
            X509Certificate issuer, JcaX509ExtensionUtils extensions) {
        byte[] extensionValue = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extensionValue != null) {
            byte[] keyIdentifier = SubjectKeyIdentifier.getInstance(
                            ASN1OctetString.getInstance(extensionValue).getOctets())
                    .getKeyIdentifier();
            return new AuthorityKeyIdentifier(keyIdentifier);
        }
        return extensions.createAuthorityKeyIdentifier(issuer.getPublicKey());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, String commonName) {
        try {
            // P-256 keys sign through P256 (several times faster than SunEC on JDK 17); any other key through the
            // JDK's Signature implementations, with no setProvider (see package-info).
            ContentSigner signer = signingKey instanceof ECPrivateKey ec && P256.isP256(ec.getParams())
                    ? P256.signer(ec)
                    : new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(signingKey)).build(signingKey);
            X509CertificateHolder holder = builder.build(signer);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new PkiException("cannot sign certificate " + commonName, e);
        }
    }

    /** Random, positive, 128 bits: unpredictable serials, as the CA/Browser baseline asks for. */
    private BigInteger serialNumber() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, random);
        } while (serial.signum() == 0);
        return serial;
    }

    /** Whole seconds: X.509 times have no fractions, so what we compute is what gets encoded. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static void requirePositive(Duration validity) {
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
    }
}
