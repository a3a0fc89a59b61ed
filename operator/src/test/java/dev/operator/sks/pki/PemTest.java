package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemTest {

    final Pki pki = new BouncyCastlePki(Clock.fixed(Instant.parse("2031-03-15T10:20:30Z"), ZoneOffset.UTC));

    @Test
    void certificateBlockIsStandardPem() {
        X509Certificate ca = pki.createCa("ca").certificate();

        String pem = Pem.encodeCertificate(ca);

        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(pem.lines().filter(line -> !line.startsWith("-----")))
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
        assertThat(pem).doesNotContain("\r");
        assertThat(Pem.parseCertificate(pem)).isEqualTo(ca);
    }

    @Test
    void bundleOfSeveralCertificatesRoundTripsInOrder() {
        X509Certificate first = pki.createCa("first").certificate();
        X509Certificate second = pki.createCa("second").certificate();
        X509Certificate third =
                pki.createCa("third", KeyAlgorithm.RSA_2048, Pki.CA_VALIDITY).certificate();

        String bundle = Pem.encodeCertificates(List.of(first, second, third));

        assertThat(Pem.parseCertificates(bundle)).containsExactly(first, second, third);
        assertThat(Pem.parseCertificate(bundle))
                .as("the first is the leaf of a chain")
                .isEqualTo(first);
    }

    @Test
    void parsingToleratesCrlfCommentsAndOtherBlocks() {
        IssuedCertificate ca = pki.createCa("ca");
        String messy = "# written by hand\r\n" + ca.privateKeyPem().replace("\n", "\r\n")
                + "\r\nsome text between blocks\r\n" + ca.certificatePem().replace("\n", "\r\n");

        assertThat(Pem.parseCertificates(messy)).containsExactly(ca.certificate());
        assertThat(Pem.parsePrivateKey(messy)).isEqualTo(ca.privateKey());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void pkcs8PrivateKeyRoundTrips(KeyAlgorithm algorithm) {
        PrivateKey key = pki.generateKeyPair(algorithm).getPrivate();

        String pem = Pem.encodePrivateKey(key);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Pem.parsePrivateKey(pem)).isEqualTo(key);
    }

    @Test
    void readsTraditionalEcPrivateKey() {
        KeyPair keyPair = pki.generateKeyPair(KeyAlgorithm.ECDSA_P256);
        String sec1 = TraditionalPem.ecPrivateKey(keyPair);
        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");

        PrivateKey parsed = Pem.parsePrivateKey(sec1);

        assertThat(parsed.getAlgorithm()).isEqualTo("EC");
        assertThat(KeyPairs.matches(keyPair.getPublic(), parsed)).isTrue();
        assertThat(((java.security.interfaces.ECPrivateKey) parsed).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) keyPair.getPrivate()).getS());
    }

    @Test
    void readsTraditionalEcPrivateKeyPrecededByEcParameters() {
        // `openssl ecparam -genkey` writes an EC PARAMETERS block first.
        KeyPair keyPair = pki.generateKeyPair(KeyAlgorithm.ECDSA_P256);
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + TraditionalPem.ecPrivateKey(keyPair);

        assertThat(KeyPairs.matches(keyPair.getPublic(), Pem.parsePrivateKey(withParameters)))
                .isTrue();
    }

    @Test
    void readsTraditionalRsaPrivateKey() {
        KeyPair keyPair = pki.generateKeyPair(KeyAlgorithm.RSA_2048);
        String pkcs1 = TraditionalPem.rsaPrivateKey(keyPair);
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        PrivateKey parsed = Pem.parsePrivateKey(pkcs1);

        assertThat(parsed).isEqualTo(keyPair.getPrivate());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void publicKeyRoundTrips(KeyAlgorithm algorithm) {
        KeyPair keyPair = pki.generateKeyPair(algorithm);

        String pem = Pem.encodePublicKey(keyPair.getPublic());

        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(Pem.parsePublicKey(pem)).isEqualTo(keyPair.getPublic());
    }

    @Test
    void emptyOrForeignInputIsAClearError() {
        assertThatThrownBy(() -> Pem.parseCertificates(""))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Pem.parseCertificates(null)).isInstanceOf(PkiException.class);
        assertThatThrownBy(() -> Pem.parseCertificates("not pem at all"))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("no CERTIFICATE");
        String keyOnly = pki.createCa("ca").privateKeyPem();
        assertThatThrownBy(() -> Pem.parseCertificates(keyOnly))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("no CERTIFICATE");
        String certificateOnly = pki.createCa("ca").certificatePem();
        assertThatThrownBy(() -> Pem.parsePrivateKey(certificateOnly))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("no private key");
        assertThatThrownBy(() -> Pem.parsePublicKey(certificateOnly))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("no PUBLIC KEY");
    }

    @Test
    void encryptedPrivateKeyIsRefused() {
        // Only the structure matters: nothing here could supply a password anyway.
        String encrypted = TraditionalPem.write(
                "ENCRYPTED PRIVATE KEY",
                new EncryptedPrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2), new byte[64]));

        assertThatThrownBy(() -> Pem.parsePrivateKey(encrypted))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("encrypted");
    }

    @Test
    void corruptPrivateKeyErrorDoesNotQuoteTheKey() {
        String good = Pem.encodePrivateKey(
                pki.generateKeyPair(KeyAlgorithm.ECDSA_P256).getPrivate());
        byte[] der = Base64.getMimeDecoder().decode(good.replaceAll("-----[A-Z ]+-----", ""));
        der[der.length / 2] ^= 0x5a; // damage the middle of the DER
        byte[] truncated = java.util.Arrays.copyOf(der, der.length - 7);
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(truncated);
        String corrupt = "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";

        assertThatThrownBy(() -> Pem.parsePrivateKey(corrupt))
                .isInstanceOf(PkiException.class)
                .satisfies(e -> SecretLeaks.assertNoneOf(body, SecretLeaks.describe(e)));
    }
}
