package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateRequestTest {

    final Pki pki = new BouncyCastlePki(Clock.fixed(Instant.parse("2031-03-15T10:20:30Z"), ZoneOffset.UTC));

    @Test
    void builderDefaultsToOneYearAndTheDefaultAlgorithm() {
        CertificateRequest request =
                CertificateRequest.builder("admin").clientAuth().build();

        assertThat(request.validity()).isEqualTo(Duration.ofDays(365));
        assertThat(request.keyAlgorithm()).isEqualTo(KeyAlgorithm.ECDSA_P256);
        assertThat(request.organizations()).isEmpty();
        assertThat(request.dnsNames()).isEmpty();
        assertThat(request.ipAddresses()).isEmpty();
        assertThat(request.usages()).containsExactly(CertificateUsage.CLIENT_AUTH);
    }

    @Test
    void builderDropsDuplicateSansKeepingOrder() {
        CertificateRequest request = CertificateRequest.builder("kube-apiserver")
                .serverAuth()
                .dnsNames("kubernetes", "api.example.test")
                .dnsNames(List.of("api.example.test", "extra.example.test"))
                .ipAddresses("10.96.0.1", "10.96.0.1")
                .build();

        assertThat(request.dnsNames()).containsExactly("kubernetes", "api.example.test", "extra.example.test");
        assertThat(request.ipAddresses()).containsExactly("10.96.0.1");
    }

    @Test
    void recordIsImmutable() {
        List<String> organizations = new ArrayList<>(List.of("a"));
        CertificateRequest request = new CertificateRequest(
                "c", organizations, null, null, Set.of(CertificateUsage.CLIENT_AUTH), Duration.ofDays(1), null);
        organizations.add("b");

        assertThat(request.organizations()).containsExactly("a");
        assertThat(request.keyAlgorithm()).isEqualTo(KeyAlgorithm.DEFAULT);
        assertThatThrownBy(() -> request.dnsNames().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsInvalidRequests() {
        assertThatThrownBy(() -> CertificateRequest.builder(" ").clientAuth().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commonName");
        assertThatThrownBy(() -> CertificateRequest.builder("c").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("usage");
        assertThatThrownBy(() -> CertificateRequest.builder("c")
                        .serverAuth()
                        .ipAddresses("kubernetes")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address literal");
        assertThatThrownBy(() -> CertificateRequest.builder("c")
                        .serverAuth()
                        .ipAddresses("10.0.0.300")
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CertificateRequest.builder("c")
                        .serverAuth()
                        .dnsNames("a b")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> CertificateRequest.builder("c")
                        .clientAuth()
                        .organizations("")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("organization");
        assertThatThrownBy(() -> CertificateRequest.builder("c")
                        .clientAuth()
                        .validity(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validity");
    }

    @Test
    void issuedCertificateSatisfiesItsRequest() {
        IssuedCertificate ca = pki.createCa("ca");
        CertificateRequest request = CertificateRequest.builder("kube-apiserver")
                .serverAuth()
                .clientAuth()
                .dnsNames("kubernetes", "api.example.test")
                .ipAddresses("10.96.0.1", "::1")
                .build();

        assertThat(request.isSatisfiedBy(pki.issue(request, ca).certificate())).isTrue();
    }

    @Test
    void changedSansGroupsOrUsagesAreNoticed() {
        IssuedCertificate ca = pki.createCa("ca");
        CertificateRequest request = CertificateRequest.builder("kube-apiserver")
                .serverAuth()
                .organizations("g1")
                .dnsNames("kubernetes")
                .ipAddresses("10.96.0.1")
                .build();
        var certificate = pki.issue(request, ca).certificate();

        assertThat(CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .organizations("g1")
                        .dnsNames("kubernetes", "new.example.test")
                        .ipAddresses("10.96.0.1")
                        .build()
                        .isSatisfiedBy(certificate))
                .as("added DNS SAN")
                .isFalse();
        assertThat(CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .organizations("g1")
                        .dnsNames("kubernetes")
                        .ipAddresses("10.96.0.2")
                        .build()
                        .isSatisfiedBy(certificate))
                .as("changed IP SAN")
                .isFalse();
        assertThat(CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .organizations("g1", "g2")
                        .dnsNames("kubernetes")
                        .ipAddresses("10.96.0.1")
                        .build()
                        .isSatisfiedBy(certificate))
                .as("added group")
                .isFalse();
        assertThat(CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .clientAuth()
                        .organizations("g1")
                        .dnsNames("kubernetes")
                        .ipAddresses("10.96.0.1")
                        .build()
                        .isSatisfiedBy(certificate))
                .as("added usage")
                .isFalse();
        assertThat(CertificateRequest.builder("other")
                        .serverAuth()
                        .organizations("g1")
                        .dnsNames("kubernetes")
                        .ipAddresses("10.96.0.1")
                        .build()
                        .isSatisfiedBy(certificate))
                .as("renamed")
                .isFalse();
        assertThat(CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .organizations("g1")
                        .dnsNames("kubernetes")
                        .ipAddresses("10.96.0.1")
                        .validity(Duration.ofDays(3))
                        .keyAlgorithm(KeyAlgorithm.RSA_2048)
                        .build()
                        .isSatisfiedBy(certificate))
                .as("validity and key algorithm do not matter")
                .isTrue();
    }

    @Test
    void ipv6SpellingsAreTheSameAddress() {
        IssuedCertificate ca = pki.createCa("ca");
        var certificate = pki.issue(
                        CertificateRequest.builder("s")
                                .serverAuth()
                                .ipAddresses("2001:db8::1")
                                .build(),
                        ca)
                .certificate();

        assertThat(CertificateRequest.builder("s")
                        .serverAuth()
                        .ipAddresses("2001:0db8:0:0:0:0:0:1")
                        .build()
                        .isSatisfiedBy(certificate))
                .isTrue();
    }
}
