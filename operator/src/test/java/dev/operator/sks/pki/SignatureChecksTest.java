package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Remembered passes answer the same as the checks themselves, and a failure stays a failure however often asked. */
class SignatureChecksTest {
    final Pki pki = new BouncyCastlePki(Clock.fixed(Instant.parse("2031-03-15T10:20:30Z"), ZoneOffset.UTC));

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void aCertificateIsSignedByItsCaOnlyAndStaysSoWhenAskedAgain(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate other = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate leaf =
                pki.issue(CertificateRequest.builder("admin").clientAuth().build(), ca);

        for (int asked = 0; asked < 3; asked++) {
            assertThat(SignatureChecks.signedBy(
                            leaf.certificate(), ca.certificate().getPublicKey()))
                    .isTrue();
            // Same subject, same issuer name, another key: a remembered pass of the real CA must not answer for it.
            assertThat(SignatureChecks.signedBy(
                            leaf.certificate(), other.certificate().getPublicKey()))
                    .isFalse();
            assertThat(SignatureChecks.signedBy(
                            ca.certificate(), leaf.certificate().getPublicKey()))
                    .isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void aKeyPairMatchesOnlyItsOwnKeyAndStaysSoWhenAskedAgain(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate other = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);

        for (int asked = 0; asked < 3; asked++) {
            assertThat(SignatureChecks.keyPairMatches(ca.certificate().getPublicKey(), ca.privateKey()))
                    .isTrue();
            assertThat(SignatureChecks.keyPairMatches(ca.certificate().getPublicKey(), other.privateKey()))
                    .isFalse();
            assertThat(SignatureChecks.keyPairMatches(other.certificate().getPublicKey(), ca.privateKey()))
                    .isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void whatThePkiMadeIsReadBackWithoutCheckingItAgain(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate leaf = pki.issue(
                CertificateRequest.builder("admin")
                        .clientAuth()
                        .keyAlgorithm(algorithm)
                        .build(),
                ca);

        long before = SignatureChecks.checksRun();
        IssuedCertificate caRead = IssuedCertificate.fromPem(ca.certificatePem(), ca.privateKeyPem());
        IssuedCertificate leafRead = IssuedCertificate.fromPem(leaf.certificatePem(), leaf.privateKeyPem());
        assertThat(SignatureChecks.signedBy(
                        leafRead.certificate(), caRead.certificate().getPublicKey()))
                .isTrue();
        assertThat(SignatureChecks.checksRun()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void aCertificateSignedWithAKeyThatIsNotTheIssuersIsNotRememberedAsTheIssuers(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate other = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        // The CA's certificate with another CA's key: what it signs is not signed by the certificate's key.
        IssuedCertificate mismatched = new IssuedCertificate(ca.certificate(), other.privateKey());
        IssuedCertificate leaf = pki.issue(
                CertificateRequest.builder("admin")
                        .clientAuth()
                        .keyAlgorithm(algorithm)
                        .build(),
                mismatched);

        long before = SignatureChecks.checksRun();
        assertThat(SignatureChecks.signedBy(leaf.certificate(), ca.certificate().getPublicKey()))
                .isFalse();
        assertThat(SignatureChecks.checksRun()).isEqualTo(before + 1);
    }
}
