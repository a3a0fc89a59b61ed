package dev.operator.sks.pki;

import static dev.operator.sks.pki.CertificateInspection.commonName;
import static dev.operator.sks.pki.CertificateInspection.dnsNames;
import static dev.operator.sks.pki.CertificateInspection.extendedKeyUsages;
import static dev.operator.sks.pki.CertificateInspection.ipAddresses;
import static dev.operator.sks.pki.CertificateInspection.subjectValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SignatureException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BouncyCastlePkiTest {

    // Fractional seconds on purpose: X.509 times have none, so the PKI must truncate predictably.
    static final Instant NOW = Instant.parse("2031-03-15T10:20:30.456Z");
    static final Instant NOW_SECONDS = Instant.parse("2031-03-15T10:20:30Z");
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    // KeyUsage bits as java.security.cert.X509Certificate#getKeyUsage indexes them.
    static final int DIGITAL_SIGNATURE = 0;
    static final int KEY_ENCIPHERMENT = 2;
    static final int KEY_CERT_SIGN = 5;
    static final int CRL_SIGN = 6;

    final Pki pki = new BouncyCastlePki(Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void generatesKeyPairsOfTheRequestedAlgorithm(KeyAlgorithm algorithm) {
        KeyPair keyPair = pki.generateKeyPair(algorithm);

        assertThat(keyPair.getPublic().getAlgorithm()).isEqualTo(algorithm.jcaName());
        assertThat(KeyAlgorithm.of(keyPair.getPublic())).isEqualTo(algorithm);
        if (algorithm == KeyAlgorithm.RSA_2048) {
            assertThat(((RSAPublicKey) keyPair.getPublic()).getModulus().bitLength())
                    .isEqualTo(2048);
        } else {
            assertThat(((ECPublicKey) keyPair.getPublic())
                            .getParams()
                            .getOrder()
                            .bitLength())
                    .isEqualTo(256);
        }
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void createsASelfSignedCa(KeyAlgorithm algorithm) throws Exception {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        X509Certificate certificate = reparse(ca.certificate());

        assertThat(commonName(certificate)).isEqualTo("cluster-ca");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThatCode(() -> certificate.verify(certificate.getPublicKey())).doesNotThrowAnyException();
        assertThat(certificate.getSigAlgName()).isEqualTo(algorithm.signatureAlgorithm());
        assertThat(certificate.getPublicKey()).isEqualTo(ca.keyPair().getPublic());

        assertThat(certificate.getBasicConstraints())
                .as("CA:true, no path length limit")
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(setBits(certificate.getKeyUsage()))
                .containsExactlyInAnyOrder(KEY_CERT_SIGN, CRL_SIGN, DIGITAL_SIGNATURE);
        assertThat(certificate.getExtendedKeyUsage()).isNull();
        assertThat(subjectKeyIdentifier(certificate)).isNotEmpty();

        assertThat(certificate.getNotBefore().toInstant())
                .isEqualTo(NOW_SECONDS.minus(BouncyCastlePki.CLOCK_SKEW_ALLOWANCE));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW_SECONDS.plus(Pki.CA_VALIDITY));
        assertThatCode(() -> certificate.checkValidity(Date.from(NOW))).doesNotThrowAnyException();
    }

    @Test
    void defaultCaIsEcdsaForTenYears() {
        IssuedCertificate ca = pki.createCa("etcd-ca");

        assertThat(ca.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(Duration.between(NOW_SECONDS, ca.notAfter())).isEqualTo(Duration.ofDays(3650));
    }

    @Test
    void caValidityPast2049IsEncodedAndReadBackExactly() {
        // X.509 switches from UTCTime to GeneralizedTime for years from 2050 on.
        Pki later = new BouncyCastlePki(Clock.fixed(Instant.parse("2045-06-01T00:00:00Z"), ZoneOffset.UTC));

        IssuedCertificate ca = later.createCa("ca");

        assertThat(reparse(ca.certificate()).getNotAfter().toInstant())
                .isEqualTo(Instant.parse("2045-06-01T00:00:00Z").plus(Pki.CA_VALIDITY));
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void issuesAServingCertificate(KeyAlgorithm algorithm) throws Exception {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        CertificateRequest request = CertificateRequest.builder("kube-apiserver")
                .dnsNames(
                        "kubernetes",
                        "kubernetes.default",
                        "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local",
                        "api.example.test")
                .ipAddresses("10.96.0.1", "192.0.2.10", "2001:db8::1")
                .serverAuth()
                .keyAlgorithm(algorithm)
                .build();

        IssuedCertificate leaf = pki.issue(request, ca);
        X509Certificate certificate = reparse(leaf.certificate());

        assertThat(commonName(certificate)).isEqualTo("kube-apiserver");
        assertThat(subjectValues(certificate, "O")).isEmpty();
        assertThat(dnsNames(certificate))
                .containsExactly(
                        "kubernetes",
                        "kubernetes.default",
                        "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local",
                        "api.example.test");
        assertThat(ipAddresses(certificate)).containsExactly("10.96.0.1", "192.0.2.10", "2001:db8:0:0:0:0:0:1");
        assertThat(extendedKeyUsages(certificate)).containsExactly(SERVER_AUTH);
        assertLeafBasics(certificate, ca.certificate(), algorithm);
        assertThat(leaf.privateKey().getAlgorithm()).isEqualTo(algorithm.jcaName());
        assertThat(KeyAlgorithm.of(certificate.getPublicKey())).isEqualTo(algorithm);
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void issuesAClientCertificateWithGroupsAsOrganizations(KeyAlgorithm algorithm) {
        IssuedCertificate ca = pki.createCa("cluster-ca", algorithm, Pki.CA_VALIDITY);
        CertificateRequest request = CertificateRequest.builder("alice")
                .organizations("system:masters", "team-a", "team-b")
                .clientAuth()
                .keyAlgorithm(algorithm)
                .build();

        X509Certificate certificate = reparse(pki.issue(request, ca).certificate());

        assertThat(commonName(certificate)).isEqualTo("alice");
        assertThat(subjectValues(certificate, "O")).containsExactly("system:masters", "team-a", "team-b");
        assertThat(certificate.getSubjectX500Principal().getName())
                .as("RFC 2253 prints the last RDN first")
                .isEqualTo("CN=alice,O=team-b,O=team-a,O=system:masters");
        assertThat(certificate.getExtensionValue(Extension.subjectAlternativeName.getId()))
                .as("no empty SAN extension on client certificates")
                .isNull();
        assertThat(extendedKeyUsages(certificate)).containsExactly(CLIENT_AUTH);
        assertLeafBasics(certificate, ca.certificate(), algorithm);
    }

    @Test
    void peerCertificateHasBothUsages() {
        IssuedCertificate ca = pki.createCa("etcd-ca");
        CertificateRequest request = CertificateRequest.builder("etcd-0")
                .dnsNames("etcd-0.etcd", "localhost")
                .ipAddresses("127.0.0.1")
                .serverAuth()
                .clientAuth()
                .build();

        X509Certificate certificate = reparse(pki.issue(request, ca).certificate());

        assertThat(extendedKeyUsages(certificate)).containsExactly(SERVER_AUTH, CLIENT_AUTH);
    }

    @Test
    void commonNamesAndOrganizationsWithSpecialCharactersSurvive() {
        IssuedCertificate ca = pki.createCa("ca");
        CertificateRequest request = CertificateRequest.builder("system:node:worker-1, \"eu\"+x=y")
                .organizations("system:nodes", "a,b;c")
                .clientAuth()
                .build();

        X509Certificate certificate = reparse(pki.issue(request, ca).certificate());

        assertThat(commonName(certificate)).isEqualTo("system:node:worker-1, \"eu\"+x=y");
        assertThat(subjectValues(certificate, "O")).containsExactly("system:nodes", "a,b;c");
        assertThat(request.isSatisfiedBy(certificate)).isTrue();
    }

    @Test
    void leafValidityStartsSlightlyInThePastAndLastsTheRequestedDuration() {
        IssuedCertificate ca = pki.createCa("ca");

        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("c")
                                .clientAuth()
                                .validity(Duration.ofHours(8))
                                .build(),
                        ca)
                .certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW_SECONDS.minus(Duration.ofMinutes(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW_SECONDS.plus(Duration.ofHours(8)));
    }

    @Test
    void defaultLeafValidityIsOneYear() {
        IssuedCertificate ca = pki.createCa("ca");

        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("c").clientAuth().build(), ca)
                .certificate();

        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW_SECONDS.plus(Duration.ofDays(365)));
    }

    @Test
    void leafNeverOutlivesItsCa() {
        IssuedCertificate ca = pki.createCa("short-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(30));

        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("c").clientAuth().build(), ca)
                .certificate();

        assertThat(leaf.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void refusesToIssueFromAnExpiredCa() {
        IssuedCertificate ca = pki.createCa("ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(1));
        Pki tomorrow = new BouncyCastlePki(Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));

        assertThatThrownBy(() -> tomorrow.issue(
                        CertificateRequest.builder("c").clientAuth().build(), ca))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void refusesToIssueFromALeaf() {
        IssuedCertificate ca = pki.createCa("ca");
        IssuedCertificate leaf =
                pki.issue(CertificateRequest.builder("leaf").clientAuth().build(), ca);

        assertThatThrownBy(() ->
                        pki.issue(CertificateRequest.builder("c").clientAuth().build(), leaf))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("not a CA");
    }

    @Test
    void mixedAlgorithmsEcLeafUnderRsaCaAndBack() throws Exception {
        IssuedCertificate rsaCa = pki.createCa("rsa-ca", KeyAlgorithm.RSA_2048, Pki.CA_VALIDITY);
        IssuedCertificate ecCa = pki.createCa("ec-ca", KeyAlgorithm.ECDSA_P256, Pki.CA_VALIDITY);

        X509Certificate ecUnderRsa = pki.issue(
                        CertificateRequest.builder("a")
                                .clientAuth()
                                .keyAlgorithm(KeyAlgorithm.ECDSA_P256)
                                .build(),
                        rsaCa)
                .certificate();
        X509Certificate rsaUnderEc = pki.issue(
                        CertificateRequest.builder("b")
                                .clientAuth()
                                .keyAlgorithm(KeyAlgorithm.RSA_2048)
                                .build(),
                        ecCa)
                .certificate();

        // The issuer's key decides the signature algorithm, the subject's key the key usage.
        assertThat(ecUnderRsa.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(setBits(ecUnderRsa.getKeyUsage())).containsExactly(DIGITAL_SIGNATURE);
        assertThat(rsaUnderEc.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(setBits(rsaUnderEc.getKeyUsage())).containsExactlyInAnyOrder(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT);
        ecUnderRsa.verify(rsaCa.certificate().getPublicKey());
        rsaUnderEc.verify(ecCa.certificate().getPublicKey());
    }

    @Test
    void reissueKeepsTheGivenKey() {
        IssuedCertificate ca = pki.createCa("ca");
        CertificateRequest request = CertificateRequest.builder("kubelet-client")
                .clientAuth()
                .organizations("system:masters")
                .build();
        IssuedCertificate first = pki.issue(request, ca);

        IssuedCertificate renewed = pki.issue(request, first.keyPair(), ca);

        assertThat(renewed.certificate().getPublicKey())
                .isEqualTo(first.certificate().getPublicKey());
        assertThat(renewed.privateKey()).isEqualTo(first.privateKey());
        assertThat(renewed.certificate().getSerialNumber())
                .isNotEqualTo(first.certificate().getSerialNumber());
    }

    @Test
    void certificateSignedByAnotherCaDoesNotVerify() {
        IssuedCertificate ca = pki.createCa("ca");
        IssuedCertificate otherCa = pki.createCa("ca"); // same name, different key
        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("c").clientAuth().build(), ca)
                .certificate();

        assertThatThrownBy(() -> leaf.verify(otherCa.certificate().getPublicKey()))
                .isInstanceOf(SignatureException.class);
    }

    @Test
    void serialsArePositive128BitRandomNumbers() {
        IssuedCertificate ca = pki.createCa("ca");
        Set<BigInteger> serials = new HashSet<>();
        serials.add(ca.certificate().getSerialNumber());
        for (int i = 0; i < 50; i++) {
            serials.add(
                    pki.issue(CertificateRequest.builder("c" + i).clientAuth().build(), ca)
                            .certificate()
                            .getSerialNumber());
        }

        assertThat(serials).hasSize(51).allSatisfy(serial -> {
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
        });
        // 51 random 128-bit numbers all shorter than 120 bits would be a broken generator.
        assertThat(serials.stream().mapToInt(BigInteger::bitLength).max().orElseThrow())
                .isGreaterThan(120);
    }

    @Test
    void wholeChainPassesJdkPkixValidationAtTheFixedTime() throws Exception {
        IssuedCertificate ca = pki.createCa("cluster-ca");
        X509Certificate leaf = pki.issue(
                        CertificateRequest.builder("kube-apiserver")
                                .serverAuth()
                                .dnsNames("kubernetes")
                                .build(),
                        ca)
                .certificate();

        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(NOW));
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    }

    @Test
    void serviceAccountKeyIsAKeyPairWithoutCertificate() {
        ServiceAccountKey key = pki.generateServiceAccountKey(KeyAlgorithm.ECDSA_P256);

        assertThat(key.publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(key.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(ServiceAccountKey.fromPem(key.publicKeyPem(), key.privateKeyPem()))
                .isEqualTo(key);
    }

    @Test
    void rejectsBlankCaNameAndNonPositiveValidity() {
        assertThatThrownBy(() -> pki.createCa(" ", KeyAlgorithm.ECDSA_P256, Pki.CA_VALIDITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pki.createCa("ca", KeyAlgorithm.ECDSA_P256, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertLeafBasics(X509Certificate certificate, X509Certificate ca, KeyAlgorithm algorithm) {
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThatCode(() -> certificate.verify(ca.getPublicKey())).doesNotThrowAnyException();
        assertThat(certificate.getSigAlgName()).isEqualTo(ca.getSigAlgName());
        assertThat(certificate.getBasicConstraints()).as("CA:false").isEqualTo(-1);
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        if (algorithm == KeyAlgorithm.RSA_2048) {
            assertThat(setBits(certificate.getKeyUsage()))
                    .containsExactlyInAnyOrder(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT);
        } else {
            assertThat(setBits(certificate.getKeyUsage())).containsExactly(DIGITAL_SIGNATURE);
        }
        assertThat(subjectKeyIdentifier(certificate)).isNotEmpty();
        assertThat(authorityKeyIdentifier(certificate)).isEqualTo(subjectKeyIdentifier(ca));
        assertThat(certificate.getSerialNumber().signum()).isPositive();
        assertThat(certificate.getNotBefore().toInstant())
                .isEqualTo(NOW_SECONDS.minus(BouncyCastlePki.CLOCK_SKEW_ALLOWANCE));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW_SECONDS.plus(Pki.LEAF_VALIDITY));
        assertThatCode(() -> certificate.checkValidity(Date.from(NOW))).doesNotThrowAnyException();
    }

    /** Through PEM and the JDK's CertificateFactory, as a peer would see it. */
    static X509Certificate reparse(X509Certificate certificate) {
        return Pem.parseCertificate(Pem.encodeCertificate(certificate));
    }

    static List<Integer> setBits(boolean[] bits) {
        List<Integer> set = new java.util.ArrayList<>();
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                set.add(i);
            }
        }
        return set;
    }

    static byte[] subjectKeyIdentifier(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        return SubjectKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(value).getOctets())
                .getKeyIdentifier();
    }

    static byte[] authorityKeyIdentifier(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        return AuthorityKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(value).getOctets())
                .getKeyIdentifier();
    }
}
