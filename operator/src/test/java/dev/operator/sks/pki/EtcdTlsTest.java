package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificates the operator generates for etcd, checked by a real etcd: a two-member cluster
 * with client and peer TLS and client-certificate authentication on both. Two members, because a
 * member reports healthy only with a leader, and a leader needs the peers to accept each other's
 * certificates: that is what proves the peer certificates work as server and as client.
 */
class EtcdTlsTest {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    // The real clock: etcd checks validity against its own time.
    static final Pki pki = new BouncyCastlePki(Clock.systemUTC());

    @TempDir
    static Path directory;

    static IssuedCertificate etcdCa;
    static IssuedCertificate client;
    static IssuedCertificate server;
    static IssuedCertificate foreignCa;
    static final List<Member> members = new ArrayList<>();
    static int unlistedAddressPort;

    @BeforeAll
    static void startTwoMemberEtcd() throws Exception {
        Path etcd = TestBinaries.require("etcd");

        etcdCa = pki.createCa("etcd-ca");
        server = pki.issue(
                CertificateRequest.builder("etcd-server")
                        .serverAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa);
        client = pki.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                etcdCa);
        foreignCa = pki.createCa("etcd-ca"); // same name, other key: as after a CA was wrongly regenerated

        TlsTestSupport.writePem(directory, "ca.crt", etcdCa.certificatePem());
        TlsTestSupport.writePem(directory, "server.crt", server.certificatePem());
        TlsTestSupport.writePem(directory, "server.key", server.privateKeyPem());

        for (String name : List.of("etcd-0", "etcd-1")) {
            members.add(new Member(name, TlsTestSupport.freeLoopbackPort(), TlsTestSupport.freeLoopbackPort()));
        }
        unlistedAddressPort = TlsTestSupport.freePort("127.0.0.2");
        String initialCluster = members.stream()
                .map(member -> member.name + "=https://127.0.0.1:" + member.peerPort)
                .collect(Collectors.joining(","));
        for (Member member : members) {
            member.start(etcd, initialCluster);
        }
        awaitHealthy();
    }

    @AfterAll
    static void stopEtcd() throws InterruptedException {
        for (Member member : members) {
            member.stop();
        }
    }

    @Test
    void clientCertificateFromTheEtcdCaIsAcceptedAndTheClusterHasALeader() throws Exception {
        SSLContext tls = TlsTestSupport.sslContext(client, List.of(etcdCa.certificate()));

        for (Member member : members) {
            HttpResponse<String> health = TlsTestSupport.get(tls, member.clientUri("/health"));

            assertThat(health.statusCode()).as(member.name).isEqualTo(200);
            assertThat(health.body()).as("a leader was elected over peer TLS").contains("\"health\":\"true\"");
        }
    }

    @Test
    void serverCertificateIsValidForTheDnsNameToo() throws Exception {
        SSLContext tls = TlsTestSupport.sslContext(client, List.of(etcdCa.certificate()));
        URI byName = URI.create("https://localhost:" + members.get(0).clientPort + "/version");

        HttpResponse<String> version = TlsTestSupport.get(tls, byName);

        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(version.body()).contains("etcdserver");
    }

    @Test
    void storedPemWorksAsWellAsTheInMemoryObjects() throws Exception {
        // What a reconciler reads back from Secrets: tls.crt, tls.key and ca.crt.
        SSLContext tls =
                TlsTestSupport.sslContext(client.certificatePem(), client.privateKeyPem(), etcdCa.certificatePem());

        assertThat(TlsTestSupport.get(tls, members.get(1).clientUri("/health")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() {
        IssuedCertificate foreignClient = pki.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                foreignCa);
        SSLContext tls = TlsTestSupport.sslContext(foreignClient, List.of(etcdCa.certificate()));

        assertRefused(tls, members.get(0).clientUri("/health"));
    }

    @Test
    void clientWithoutCertificateIsRefused() {
        // Note: etcd 3.4 demands a client certificate whenever --trusted-ca-file is set, with or
        // without --client-cert-auth (which then only maps the CN to an etcd user).
        SSLContext tls = TlsTestSupport.sslContext(null, List.of(etcdCa.certificate()));

        assertRefused(tls, members.get(0).clientUri("/health"));
    }

    @Test
    void serverOnlyCertificateCannotAuthenticateAClient() {
        // Right CA, wrong extended key usage: etcd (Go) requires clientAuth on client certificates.
        SSLContext tls = TlsTestSupport.sslContext(server, List.of(etcdCa.certificate()));

        assertRefused(tls, members.get(0).clientUri("/health"));
    }

    @Test
    void serverIsNotTrustedByAClientThatTrustsAnotherCa() {
        SSLContext tls = TlsTestSupport.sslContext(client, List.of(foreignCa.certificate()));

        assertThatThrownBy(() -> TlsTestSupport.get(tls, members.get(0).clientUri("/health")))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");
    }

    @Test
    void serverIsNotTrustedUnderAnAddressMissingFromItsSans() {
        // etcd-0 also listens on 127.0.0.2, which the server certificate does not name: the IP
        // SAN really is checked, so the accepted connections above mean the SANs are right.
        SSLContext tls = TlsTestSupport.sslContext(client, List.of(etcdCa.certificate()));
        URI unlisted = URI.create("https://127.0.0.2:" + unlistedAddressPort + "/health");

        assertThatThrownBy(() -> TlsTestSupport.get(tls, unlisted))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("127.0.0.2");
    }

    @Test
    void peerPortAcceptsAPeerCertificateAndRefusesOneFromAnotherCa() throws Exception {
        Member etcd1 = members.get(1);
        SSLContext asPeer = TlsTestSupport.sslContext(members.get(0).peerCertificate, List.of(etcdCa.certificate()));
        assertThat(TlsTestSupport.get(asPeer, etcd1.peerUri("/version")).statusCode())
                .isEqualTo(200);

        IssuedCertificate foreignPeer = pki.issue(peerRequest("etcd-0"), foreignCa);
        SSLContext asForeignPeer = TlsTestSupport.sslContext(foreignPeer, List.of(etcdCa.certificate()));
        assertRefused(asForeignPeer, etcd1.peerUri("/version"));
    }

    /**
     * Refused by the server. Seen here: SSLHandshakeException "Received fatal alert:
     * bad_certificate". With TLS 1.3 the client's side of the handshake may complete before the
     * server checks the client certificate, so depending on timing the refusal can also surface as
     * a reset or closed connection on the first write or read. Either way no HTTP response comes.
     */
    private static void assertRefused(SSLContext tls, URI uri) {
        assertThatThrownBy(() -> {
                    HttpResponse<String> response = TlsTestSupport.get(tls, uri);
                    fail("expected the connection to be refused, got HTTP " + response.statusCode() + ": "
                            + response.body());
                })
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(causes(e))
                        .anySatisfy(cause -> assertThat(cause)
                                .isInstanceOfAny(SSLException.class, IOException.class)
                                .hasMessageMatching("(?is).*(bad_certificate|certificate_required|bad certificate"
                                        + "|unknown_ca|connection reset|closed|broken pipe|eof).*")));
    }

    private static List<Throwable> causes(Throwable throwable) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = throwable; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    static CertificateRequest peerRequest(String memberName) {
        // Peers dial each other and serve each other: both usages.
        return CertificateRequest.builder(memberName)
                .serverAuth()
                .clientAuth()
                .dnsNames(memberName, "localhost")
                .ipAddresses("127.0.0.1")
                .build();
    }

    private static void awaitHealthy() throws Exception {
        SSLContext tls = TlsTestSupport.sslContext(client, List.of(etcdCa.certificate()));
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        Exception lastFailure = null;
        while (Instant.now().isBefore(deadline)) {
            for (Member member : members) {
                if (!member.process.isAlive()) {
                    fail(member.name + " exited with " + member.process.exitValue() + ":\n" + member.logTail());
                }
            }
            try {
                boolean allHealthy = true;
                for (Member member : members) {
                    HttpResponse<String> health = TlsTestSupport.get(tls, member.clientUri("/health"));
                    allHealthy &= health.statusCode() == 200 && health.body().contains("\"health\":\"true\"");
                }
                if (allHealthy) {
                    return;
                }
            } catch (IOException e) {
                lastFailure = e; // not listening yet, or no leader yet
            }
            Thread.sleep(200);
        }
        fail("etcd did not become healthy within " + STARTUP_TIMEOUT + " (last error: " + lastFailure + ")\n"
                + members.stream()
                        .map(member -> member.name + ":\n" + member.logTail())
                        .collect(Collectors.joining("\n")));
    }

    static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        IssuedCertificate peerCertificate;
        Process process;
        Path log;

        Member(String name, int clientPort, int peerPort) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
        }

        URI clientUri(String path) {
            return URI.create("https://127.0.0.1:" + clientPort + path);
        }

        URI peerUri(String path) {
            return URI.create("https://127.0.0.1:" + peerPort + path);
        }

        void start(Path etcd, String initialCluster) throws IOException {
            peerCertificate = pki.issue(peerRequest(name), etcdCa);
            Path peerCert = TlsTestSupport.writePem(directory, name + "-peer.crt", peerCertificate.certificatePem());
            Path peerKey = TlsTestSupport.writePem(directory, name + "-peer.key", peerCertificate.privateKeyPem());
            String listenClientUrls = "https://127.0.0.1:" + clientPort
                    + (name.equals("etcd-0") ? ",https://127.0.0.2:" + unlistedAddressPort : "");
            log = directory.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(
                            etcd.toString(),
                            "--name=" + name,
                            "--data-dir=" + Files.createDirectories(directory.resolve(name + ".data")),
                            "--listen-client-urls=" + listenClientUrls,
                            "--advertise-client-urls=https://127.0.0.1:" + clientPort,
                            "--listen-peer-urls=https://127.0.0.1:" + peerPort,
                            "--initial-advertise-peer-urls=https://127.0.0.1:" + peerPort,
                            "--initial-cluster=" + initialCluster,
                            "--initial-cluster-state=new",
                            "--initial-cluster-token=sks-pki-test",
                            "--cert-file=" + directory.resolve("server.crt"),
                            "--key-file=" + directory.resolve("server.key"),
                            "--trusted-ca-file=" + directory.resolve("ca.crt"),
                            "--client-cert-auth=true",
                            "--peer-cert-file=" + peerCert,
                            "--peer-key-file=" + peerKey,
                            "--peer-trusted-ca-file=" + directory.resolve("ca.crt"),
                            "--peer-client-cert-auth=true",
                            "--logger=zap",
                            "--log-outputs=stderr")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // etcd reads ETCD_* variables as flags: none from the developer's shell may leak in.
            builder.environment().keySet().removeIf(variable -> variable.startsWith("ETCD_"));
            process = builder.start();
        }

        void stop() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + " (pid " + process.pid() + ") did not exit");
                }
            }
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
