package dev.operator.sks.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.leaks.LeakScanner.Finding;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class LeakScannerTest {
    private final BouncyCastlePki pki = new BouncyCastlePki(Clock.systemUTC());

    @Test
    void findsAPrivateKeyInPemAndInBase64AsASecretHoldsIt() {
        IssuedCertificate ca = pki.createCa("leak-test-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(1));
        String keyPem = Pem.encodePrivateKey(ca.privateKey());
        String inLog = "12:00:00 INFO reconciled cluster, key was " + keyPem;
        String base64 = Base64.getEncoder().encodeToString(keyPem.getBytes(StandardCharsets.UTF_8));
        String der = Base64.getEncoder().encodeToString(ca.privateKey().getEncoded());

        assertThat(LeakScanner.scan("log", inLog))
                .extracting(Finding::kind)
                .contains("PEM block", "private-key marker");
        assertThat(LeakScanner.scan("event", "{\"message\":\"data " + base64 + "\"}"))
                .extracting(Finding::kind)
                .contains("base64 PEM");
        assertThat(LeakScanner.scan("status", "{\"x\":\"" + der + "\"}")).isNotEmpty();
        assertThat(LeakScanner.scan("log", Pem.encodeCertificate(ca.certificate())))
                .extracting(Finding::kind)
                .contains("PEM block");
    }

    @Test
    void findsRsaKeysAndCertificatesInBase64Der() throws Exception {
        IssuedCertificate rsa = pki.createCa("leak-test-rsa", KeyAlgorithm.RSA_2048, Duration.ofDays(1));
        Base64.Encoder base64 = Base64.getEncoder();

        assertThat(LeakScanner.scan(
                        "log", base64.encodeToString(rsa.privateKey().getEncoded())))
                .extracting(Finding::kind)
                .containsExactly("base64 DER key or certificate");
        assertThat(LeakScanner.scan(
                        "log", "x=" + base64.encodeToString(rsa.certificate().getEncoded())))
                .isNotEmpty();
    }

    @Test
    void findsABootstrapTokenButNotHostnamesOrVersions() {
        assertThat(LeakScanner.scan("log", "joined with abcdef.0123456789abcdef at 10:00"))
                .containsExactly(new Finding("log", 1, "bootstrap token"));
        assertThat(LeakScanner.scan(
                        "log",
                        "api.demo-cluster.svc v1.33.4 kube-apiserver.sks-demo.svc.cluster.local "
                                + "sks.operator.dev/rotate-clients-ca registry.k8s.io/kube-apiserver:v1.34.1 "
                                + "bootstrap-token-abcdef"))
                .isEmpty();
    }

    @Test
    void namesWhereNotWhat() {
        String text = "line one\nline two abcdef.0123456789abcdef\n";
        Finding finding = LeakScanner.scan("events.jsonl", text).get(0);
        assertThat(finding.line()).isEqualTo(2);
        assertThat(finding.toString())
                .isEqualTo("events.jsonl:2: bootstrap token")
                .doesNotContain("abcdef");
    }

    @Test
    void ordinaryOperatorOutputIsClean() {
        String text = "12:00:01.123 INFO  [ReconcilerExecutor-sksc-42] d.o.s.r.c.SKSClusterReconciler - cluster ns/a "
                + "ready: etcd 3/3, certificates valid until 2027-11-30T00:00:00Z, sha256:"
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 MIRROR uid "
                + "0b1e7c1e-3a4d-4f7e-9c4e-2d0d3b6f4a11";
        assertThat(LeakScanner.scan("log", text)).isEmpty();
    }
}
