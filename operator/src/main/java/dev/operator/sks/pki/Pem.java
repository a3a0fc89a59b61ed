package dev.operator.sks.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM encoding and decoding of certificates and keys, in the forms Kubernetes components, etcd,
 * kubectl and openssl read and write.
 *
 * <p>Parsing goes through BouncyCastle's {@link PEMParser} (which understands PKCS#8
 * {@code PRIVATE KEY} as well as the traditional {@code EC PRIVATE KEY} and
 * {@code RSA PRIVATE KEY} blocks), then hands DER bytes to the JDK's own factories. Error messages
 * never quote the input, which may be a private key.
 */
public final class Pem {

    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {}

    /** One {@code CERTIFICATE} block. */
    public static String encodeCertificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** Several {@code CERTIFICATE} blocks in order, as in a CA bundle or a chain. */
    public static String encodeCertificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        certificates.forEach(certificate -> pem.append(encodeCertificate(certificate)));
        return pem.toString();
    }

    /** A PKCS#8 {@code PRIVATE KEY} block, which Go (etcd, Kubernetes) and openssl all read. */
    public static String encodePrivateKey(PrivateKey privateKey) {
        byte[] der = privateKey.getEncoded();
        if (der == null || !"PKCS#8".equals(privateKey.getFormat())) {
            throw new PkiException("private key of type " + privateKey.getAlgorithm() + " has no PKCS#8 encoding");
        }
        return block("PRIVATE KEY", der);
    }

    /**
     * The key in its algorithm's own form: {@code EC PRIVATE KEY} (SEC 1) or {@code RSA PRIVATE KEY} (PKCS#1), as
     * kubeadm writes kubeconfigs. Clients that read kubeconfigs (fabric8 among them) do not all read PKCS#8 EC keys.
     */
    public static String encodePrivateKeyTraditional(KeyPair keyPair) {
        PrivateKey privateKey = keyPair.getPrivate();
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(privateKey.getEncoded());
            if (privateKey instanceof java.security.interfaces.ECPrivateKey ec) {
                // SEC 1 with the curve and the public key inside, as openssl writes it: some readers need both.
                byte[] publicKey = SubjectPublicKeyInfo.getInstance(
                                keyPair.getPublic().getEncoded())
                        .getPublicKeyData()
                        .getBytes();
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(),
                        ec.getS(),
                        new org.bouncycastle.asn1.DERBitString(publicKey),
                        info.getPrivateKeyAlgorithm().getParameters());
                return block("EC PRIVATE KEY", sec1.getEncoded());
            }
            if ("RSA".equals(privateKey.getAlgorithm())) {
                return block(
                        "RSA PRIVATE KEY",
                        info.parsePrivateKey().toASN1Primitive().getEncoded());
            }
        } catch (IOException | RuntimeException e) {
            throw new PkiException("cannot encode a " + privateKey.getAlgorithm() + " private key");
        }
        throw new PkiException("no traditional PEM form for " + privateKey.getAlgorithm() + " keys");
    }

    /** An X.509 SubjectPublicKeyInfo {@code PUBLIC KEY} block (kube-apiserver's --service-account-key-file). */
    public static String encodePublicKey(PublicKey publicKey) {
        return block("PUBLIC KEY", publicKey.getEncoded());
    }

    /**
     * Every certificate in the text, in order. Other blocks (a key pasted into the same file) are
     * ignored, as Go's tls.X509KeyPair and openssl do.
     *
     * @throws PkiException if there is no certificate at all or one cannot be parsed
     */
    public static List<X509Certificate> parseCertificates(String pem) {
        requireText(pem, "certificate");
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add((X509Certificate)
                            factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new PkiException("cannot parse certificate PEM", e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException("no CERTIFICATE block found in PEM");
        }
        return certificates;
    }

    /** The first certificate: the leaf, when the text is a chain. */
    public static X509Certificate parseCertificate(String pem) {
        return parseCertificates(pem).get(0);
    }

    /**
     * The first private key in the text: PKCS#8 {@code PRIVATE KEY}, {@code EC PRIVATE KEY}
     * (SEC 1, as written by openssl and Go) or {@code RSA PRIVATE KEY} (PKCS#1). Encrypted keys
     * are refused: nothing here could supply the password.
     */
    public static PrivateKey parsePrivateKey(String pem) {
        requireText(pem, "private key");
        PrivateKeyInfo keyInfo = null;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while (keyInfo == null && (object = parser.readObject()) != null) {
                if (object instanceof PrivateKeyInfo info) {
                    keyInfo = info;
                } else if (object instanceof PEMKeyPair pair) {
                    keyInfo = pair.getPrivateKeyInfo(); // traditional form, rewrapped as PKCS#8
                } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new PkiException("encrypted private keys are not supported");
                }
                // Anything else (EC PARAMETERS before an openssl EC key, a certificate) is skipped.
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PkiException pkiException) {
                throw pkiException;
            }
            // The cause is kept for its type and stack; BouncyCastle's messages name the block
            // type or the ASN.1 problem, never the content.
            throw new PkiException("cannot parse private key PEM", e);
        }
        if (keyInfo == null) {
            throw new PkiException("no private key block found in PEM");
        }
        return toPrivateKey(keyInfo);
    }

    /**
     * The first {@code CERTIFICATE REQUEST} block (PKCS#10), as a kubelet puts it in a
     * CertificateSigningRequest.
     */
    public static PKCS10CertificationRequest parseCertificateRequest(String pem) {
        requireText(pem, "certificate request");
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PKCS10CertificationRequest request) {
                    return request;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new PkiException("cannot parse certificate request PEM", e);
        }
        throw new PkiException("no CERTIFICATE REQUEST block found in PEM");
    }

    /** The first {@code PUBLIC KEY} block. */
    public static PublicKey parsePublicKey(String pem) {
        requireText(pem, "public key");
        SubjectPublicKeyInfo keyInfo = null;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while (keyInfo == null && (object = parser.readObject()) != null) {
                if (object instanceof SubjectPublicKeyInfo info) {
                    keyInfo = info;
                }
            }
            if (keyInfo == null) {
                throw new PkiException("no PUBLIC KEY block found in PEM");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new PkiException("cannot parse public key PEM", e);
        }
        return toPublicKey(keyInfo);
    }

    /** A JDK public key (EC or RSA) from its DER structure, as certificate requests carry it. */
    public static PublicKey toPublicKey(SubjectPublicKeyInfo keyInfo) {
        try {
            String algorithm = jcaAlgorithm(keyInfo.getAlgorithm().getAlgorithm());
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new PkiException("cannot decode public key", e);
        }
    }

    private static PrivateKey toPrivateKey(PrivateKeyInfo keyInfo) {
        try {
            String algorithm = jcaAlgorithm(keyInfo.getPrivateKeyAlgorithm().getAlgorithm());
            // The JDK's KeyFactory, not BouncyCastle's JcaPEMKeyConverter defaults, so the key
            // objects are the same classes the JDK's Signature and SSLContext expect.
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keyInfo.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot decode private key", e);
        }
    }

    private static String jcaAlgorithm(ASN1ObjectIdentifier keyAlgorithm) {
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(keyAlgorithm)) {
            return "EC";
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(keyAlgorithm)) {
            return "RSA";
        }
        throw new PkiException("unsupported key algorithm " + keyAlgorithm.getId() + " (supported: EC, RSA)");
    }

    private static void requireText(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw new PkiException("empty " + what + " PEM");
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + new String(BASE64.encode(der), StandardCharsets.US_ASCII)
                + "\n-----END " + type + "-----\n";
    }
}
