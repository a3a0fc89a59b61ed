package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IssuedCertificateTest {

    final Pki pki = new BouncyCastlePki(Clock.fixed(Instant.parse("2031-03-15T10:20:30Z"), ZoneOffset.UTC));

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void caReadBackFromPemIsTheSameCa(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);

        IssuedCertificate readBack = IssuedCertificate.fromPem(ca.certificatePem(), ca.privateKeyPem());

        assertThat(readBack).isEqualTo(ca);
        assertThat(readBack.certificatePem()).isEqualTo(ca.certificatePem());
        assertThat(readBack.privateKeyPem()).isEqualTo(ca.privateKeyPem());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void caReadBackFromPemKeepsIssuing(KeyAlgorithm algorithm) throws Exception {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate stored = IssuedCertificate.fromPem(ca.certificatePem(), ca.privateKeyPem());

        IssuedCertificate leaf = pki.issue(
                CertificateRequest.builder("admin")
                        .clientAuth()
                        .organizations("system:masters")
                        .build(),
                stored);

        leaf.certificate().verify(ca.certificate().getPublicKey());
    }

    @Test
    void readsCaStoredWithTraditionalEcKey() {
        IssuedCertificate ca = pki.createCa("etcd-ca");

        IssuedCertificate readBack =
                IssuedCertificate.fromPem(ca.certificatePem(), TraditionalPem.ecPrivateKey(ca.keyPair()));

        assertThat(readBack.certificate()).isEqualTo(ca.certificate());
        assertThat(readBack.keyPair().getPublic()).isEqualTo(ca.certificate().getPublicKey());
        assertThat(readBack.privateKeyPem()).as("written back as PKCS#8").startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void readsCaStoredWithTraditionalRsaKey() {
        IssuedCertificate ca = pki.createCa("ca", KeyAlgorithm.RSA_2048, Pki.CA_VALIDITY);

        IssuedCertificate readBack =
                IssuedCertificate.fromPem(ca.certificatePem(), TraditionalPem.rsaPrivateKey(ca.keyPair()));

        assertThat(readBack).isEqualTo(ca);
    }

    @Test
    void chainPemReadsTheLeafFirst() {
        IssuedCertificate ca = pki.createCa("ca");
        IssuedCertificate leaf =
                pki.issue(CertificateRequest.builder("c").clientAuth().build(), ca);

        IssuedCertificate readBack =
                IssuedCertificate.fromPem(leaf.certificatePem() + ca.certificatePem(), leaf.privateKeyPem());

        assertThat(readBack).isEqualTo(leaf);
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() {
        IssuedCertificate ca = pki.createCa("ca");
        IssuedCertificate other = pki.createCa("ca");
        IssuedCertificate rsa = pki.createCa("ca", KeyAlgorithm.RSA_2048, Pki.CA_VALIDITY);

        assertThatThrownBy(() -> IssuedCertificate.fromPem(ca.certificatePem(), other.privateKeyPem()))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("does not belong")
                .satisfies(e -> SecretLeaks.assertNoKeyIn(SecretLeaks.describe(e), other.privateKey()));
        assertThatThrownBy(() -> IssuedCertificate.fromPem(ca.certificatePem(), rsa.privateKeyPem()))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("does not belong");
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void toStringNamesTheCertificateButNotTheKey(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);

        String text = ca.toString();

        assertThat(text).contains("CN=cluster-ca").contains("redacted");
        assertThat(text).doesNotContain("PRIVATE KEY");
        SecretLeaks.assertNoKeyIn(text, ca.privateKey());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void serviceAccountKeyToStringHidesTheKey(KeyAlgorithm algorithm) {
        ServiceAccountKey key = pki.generateServiceAccountKey(algorithm);

        String text = key.toString();

        assertThat(text).contains("redacted");
        SecretLeaks.assertNoKeyIn(text, key.privateKey());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void serviceAccountKeyRoundTrips(KeyAlgorithm algorithm) {
        ServiceAccountKey key = pki.generateServiceAccountKey(algorithm);

        ServiceAccountKey readBack = ServiceAccountKey.fromPem(key.publicKeyPem(), key.privateKeyPem());

        assertThat(readBack).isEqualTo(key);
        assertThat(readBack.keyPair().getPublic()).isEqualTo(key.publicKey());
    }

    @Test
    void serviceAccountKeyRefusesMismatchedHalves() {
        ServiceAccountKey one = pki.generateServiceAccountKey(KeyAlgorithm.ECDSA_P256);
        ServiceAccountKey two = pki.generateServiceAccountKey(KeyAlgorithm.ECDSA_P256);

        assertThatThrownBy(() -> ServiceAccountKey.fromPem(one.publicKeyPem(), two.privateKeyPem()))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("does not belong");
    }
}
