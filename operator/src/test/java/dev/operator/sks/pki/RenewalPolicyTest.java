package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {

    static final Instant NOW = Instant.parse("2031-03-15T10:20:30Z");
    final Pki pki = new BouncyCastlePki(Clock.fixed(NOW, ZoneOffset.UTC));
    final IssuedCertificate ca = pki.createCa("ca");

    @Test
    void oneYearLeafRenewsWhenAThirdOfItsLifeIsLeft() {
        X509Certificate leaf = leaf(Pki.LEAF_VALIDITY);
        Instant notBefore = NOW.minus(BouncyCastlePki.CLOCK_SKEW_ALLOWANCE);
        Instant notAfter = NOW.plus(Duration.ofDays(365));
        Instant expected = notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(3));

        assertThat(RenewalPolicy.renewalTime(leaf)).isEqualTo(expected);
        // About 243 days in, 121 days and change before expiry.
        assertThat(Duration.between(NOW, expected).toDays()).isEqualTo(243);
        assertThat(Duration.between(expected, notAfter).toDays()).isEqualTo(121);
    }

    @Test
    void needsRenewalFlipsExactlyAtTheRenewalTime() {
        X509Certificate leaf = leaf(Pki.LEAF_VALIDITY);
        Instant renewal = RenewalPolicy.renewalTime(leaf);

        assertThat(RenewalPolicy.needsRenewal(leaf, NOW)).as("fresh").isFalse();
        assertThat(RenewalPolicy.needsRenewal(leaf, renewal.minusSeconds(1))).isFalse();
        assertThat(RenewalPolicy.needsRenewal(leaf, renewal)).isTrue();
        assertThat(RenewalPolicy.needsRenewal(
                        leaf, leaf.getNotAfter().toInstant().plusSeconds(1)))
                .as("expired")
                .isTrue();
    }

    @Test
    void shortLivedKubeconfigRenewsProportionally() {
        X509Certificate thirtyDays = leaf(Duration.ofDays(30));

        assertThat(RenewalPolicy.needsRenewal(thirtyDays, NOW.plus(Duration.ofDays(19))))
                .isFalse();
        assertThat(RenewalPolicy.needsRenewal(thirtyDays, NOW.plus(Duration.ofDays(20))))
                .isTrue();
    }

    @Test
    void caRenewsAfterAboutSixAndAHalfYears() {
        Instant renewal = RenewalPolicy.renewalTime(ca.certificate());

        assertThat(Duration.between(NOW, renewal).toDays()).isEqualTo(2433);
        assertThat(RenewalPolicy.needsRenewal(ca.certificate(), NOW.plus(Duration.ofDays(2400))))
                .isFalse();
        assertThat(RenewalPolicy.needsRenewal(ca.certificate(), NOW.plus(Duration.ofDays(2434))))
                .isTrue();
    }

    @Test
    void leafClampedToAnAgingCaRenewsOnItsOwnShorterSchedule() {
        IssuedCertificate agingCa = pki.createCa("aging", KeyAlgorithm.ECDSA_P256, Duration.ofDays(90));
        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("c").clientAuth().build(), agingCa)
                .certificate();

        assertThat(Duration.between(NOW, RenewalPolicy.renewalTime(leaf)).toDays())
                .isEqualTo(59);
    }

    private X509Certificate leaf(Duration validity) {
        return pki.issue(
                        CertificateRequest.builder("leaf")
                                .clientAuth()
                                .validity(validity)
                                .build(),
                        ca)
                .certificate();
    }
}
