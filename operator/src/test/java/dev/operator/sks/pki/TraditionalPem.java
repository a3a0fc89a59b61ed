package dev.operator.sks.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Writes keys in the pre-PKCS#8 forms that openssl, cfssl, older kubeadm and Go's
 * x509.MarshalECPrivateKey produce, so tests can check that stored keys in those forms are read.
 * Built from ASN.1 here rather than kept as fixture files: no private key is committed.
 */
final class TraditionalPem {

    private TraditionalPem() {}

    /** SEC 1 {@code EC PRIVATE KEY} with curve parameters and public key, exactly as openssl writes it. */
    static String ecPrivateKey(KeyPair keyPair) {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keyPair.getPrivate().getEncoded());
        SubjectPublicKeyInfo publicKeyInfo =
                SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                256,
                ((ECPrivateKey) keyPair.getPrivate()).getS(),
                publicKeyInfo.getPublicKeyData(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        return write("EC PRIVATE KEY", sec1);
    }

    /** PKCS#1 {@code RSA PRIVATE KEY}. */
    static String rsaPrivateKey(KeyPair keyPair) {
        try {
            return write(
                    "RSA PRIVATE KEY",
                    PrivateKeyInfo.getInstance(keyPair.getPrivate().getEncoded())
                            .parsePrivateKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(String type, org.bouncycastle.asn1.ASN1Encodable structure) {
        try {
            StringWriter out = new StringWriter();
            try (PemWriter writer = new PemWriter(out)) {
                writer.writeObject(
                        new PemObject(type, structure.toASN1Primitive().getEncoded("DER")));
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
