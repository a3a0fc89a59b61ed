package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How long generating the whole PKI of one tenant cluster takes, per key algorithm: the work a
 * reconciler does once when a cluster is created. Not a JMH benchmark; a plain timing loop with
 * warm-up, good enough to compare ECDSA with RSA and to notice a regression of an order of
 * magnitude. Off by default:
 *
 * <pre>mvn -B -o test -Dtest=PkiBenchmarkTest -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Iterations: -Dbenchmark.warmup=10 -Dbenchmark.iterations=40.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class PkiBenchmarkTest {

    final Pki pki = new BouncyCastlePki(Clock.systemUTC());

    @Test
    void clusterPki() {
        int warmup = Integer.getInteger("benchmark.warmup", 10);
        int iterations = Integer.getInteger("benchmark.iterations", 40);
        StringBuilder report =
                new StringBuilder("\nPKI of one cluster (4 CAs + service-account key + 10 leaves = 15 keys)\n");
        for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
            for (int i = 0; i < warmup; i++) {
                generateClusterPki(algorithm);
            }
            double[] millis = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                List<Object> material = generateClusterPki(algorithm);
                millis[i] = (System.nanoTime() - start) / 1e6;
                assertThat(material).hasSize(15);
            }
            Arrays.sort(millis);
            report.append(String.format(
                    "  %-10s n=%d  median %8.1f ms  p90 %8.1f ms  min %8.1f ms  max %8.1f ms%n",
                    algorithm,
                    iterations,
                    percentile(millis, 50),
                    percentile(millis, 90),
                    millis[0],
                    millis[iterations - 1]));
        }
        System.out.println(report);
    }

    /** What a cluster needs, kubeadm-style: 4 CAs, the service-account key pair and 10 leaves. */
    List<Object> generateClusterPki(KeyAlgorithm algorithm) {
        List<Object> material = new ArrayList<>();
        IssuedCertificate clusterCa = pki.createCa("kubernetes", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate etcdCa = pki.createCa("etcd-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate frontProxyCa = pki.createCa("front-proxy-ca", algorithm, Pki.CA_VALIDITY);
        IssuedCertificate clientsCa = pki.createCa("clients-ca", algorithm, Pki.CA_VALIDITY);
        material.addAll(List.of(clusterCa, etcdCa, frontProxyCa, clientsCa));
        material.add(pki.generateServiceAccountKey(algorithm));

        material.add(pki.issue(
                request("kube-apiserver", algorithm)
                        .serverAuth()
                        .dnsNames(
                                "kubernetes",
                                "kubernetes.default",
                                "kubernetes.default.svc",
                                "kubernetes.default.svc.cluster.local",
                                "demo-api.tenant-a.svc",
                                "demo.sks.example.test")
                        .ipAddresses("10.96.0.1", "192.0.2.10")
                        .build(),
                clusterCa));
        material.add(pki.issue(
                request("kube-apiserver-kubelet-client", algorithm)
                        .clientAuth()
                        .organizations("system:masters")
                        .build(),
                clusterCa));
        material.add(pki.issue(
                request("kube-apiserver-etcd-client", algorithm).clientAuth().build(), etcdCa));
        material.add(pki.issue(
                request("etcd-server", algorithm)
                        .serverAuth()
                        .dnsNames("demo-etcd", "demo-etcd.tenant-a.svc", "localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa));
        material.add(pki.issue(
                request("etcd-peer", algorithm)
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("*.demo-etcd.tenant-a.svc", "localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa));
        material.add(
                pki.issue(request("front-proxy-client", algorithm).clientAuth().build(), frontProxyCa));
        material.add(pki.issue(
                request("system:kube-controller-manager", algorithm)
                        .clientAuth()
                        .build(),
                clusterCa));
        material.add(pki.issue(
                request("system:kube-scheduler", algorithm).clientAuth().build(), clusterCa));
        material.add(pki.issue(
                request("kubernetes-admin", algorithm)
                        .clientAuth()
                        .organizations("system:masters")
                        .build(),
                clientsCa));
        material.add(pki.issue(
                request("system:konnectivity-server", algorithm).clientAuth().build(), clusterCa));
        return material;
    }

    private static CertificateRequest.Builder request(String commonName, KeyAlgorithm algorithm) {
        return CertificateRequest.builder(commonName).keyAlgorithm(algorithm);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
