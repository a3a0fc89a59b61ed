package dev.operator.sks.etcd;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.pki.TestBinaries;
import dev.operator.sks.pki.TlsTestSupport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Real etcd processes on loopback, with client and peer TLS and client-certificate authentication on both, as the
 * operator renders them: what the tests play "the pods" with. Every member shares one serving and one peer
 * certificate (both name localhost and 127.0.0.1), as the operator's pods share the Secrets.
 */
public final class LocalEtcd implements AutoCloseable {
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    /** PEM as found in the operator's Secrets. */
    public record Tls(
            String caPem,
            String serverCertificatePem,
            String serverKeyPem,
            String peerCertificatePem,
            String peerKeyPem) {}

    public final class Member {
        public final String name;
        public final int clientPort;
        public final int peerPort;
        private Process process;
        private Path log;

        private Member(String name, int clientPort, int peerPort) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
        }

        public String clientUrl() {
            return "https://127.0.0.1:" + clientPort;
        }

        public String peerUrl() {
            return "https://127.0.0.1:" + peerPort;
        }

        /** {@code --initial-cluster} entry of this member. */
        public String initialClusterEntry() {
            return name + "=" + peerUrl();
        }

        /** Starts it; {@code initialCluster} and {@code state} as {@code --initial-cluster(-state)} take them. */
        public Member start(String initialCluster, String state) throws IOException {
            return start(initialCluster, state, List.of());
        }

        /** As {@link #start(String, String)}, with {@code extraFlags} after the usual ones. */
        public Member start(String initialCluster, String state, List<String> extraFlags) throws IOException {
            log = directory.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    binary.toString(),
                    "--name=" + name,
                    "--data-dir=" + directory.resolve(name + ".data"),
                    "--listen-client-urls=" + clientUrl(),
                    "--advertise-client-urls=" + clientUrl(),
                    "--listen-peer-urls=" + peerUrl(),
                    "--initial-advertise-peer-urls=" + peerUrl(),
                    "--initial-cluster=" + initialCluster,
                    "--initial-cluster-state=" + state,
                    "--initial-cluster-token=sks-etcd-test",
                    "--client-cert-auth=true",
                    "--trusted-ca-file=" + caFile,
                    "--cert-file=" + serverCertificateFile,
                    "--key-file=" + serverKeyFile,
                    "--peer-client-cert-auth=true",
                    "--peer-trusted-ca-file=" + caFile,
                    "--peer-cert-file=" + peerCertificateFile,
                    "--peer-key-file=" + peerKeyFile,
                    "--logger=zap",
                    "--log-outputs=stderr"));
            command.addAll(extraFlags);
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            // etcd reads ETCD_* variables as flags: none from the developer's shell may leak in.
            builder.environment().keySet().removeIf(variable -> variable.startsWith("ETCD_"));
            process = builder.start();
            return this;
        }

        public boolean isRunning() {
            return process != null && process.isAlive();
        }

        /** Fails the test with the member's log if the process exited. */
        public void assertRunning() {
            if (process != null && !process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
        }

        public void stop() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + " (pid " + process.pid() + ") did not exit");
                }
            }
        }

        public String logTail() {
            if (log == null) {
                return "(not started)";
            }
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    private final Path binary = TestBinaries.require("etcd");
    private final Path directory;
    private final Path caFile;
    private final Path serverCertificateFile;
    private final Path serverKeyFile;
    private final Path peerCertificateFile;
    private final Path peerKeyFile;
    private final List<Member> members = new ArrayList<>();

    public LocalEtcd(Path directory, Tls tls) {
        this.directory = directory;
        caFile = TlsTestSupport.writePem(directory, "ca.crt", tls.caPem());
        serverCertificateFile = TlsTestSupport.writePem(directory, "server.crt", tls.serverCertificatePem());
        serverKeyFile = TlsTestSupport.writePem(directory, "server.key", tls.serverKeyPem());
        peerCertificateFile = TlsTestSupport.writePem(directory, "peer.crt", tls.peerCertificatePem());
        peerKeyFile = TlsTestSupport.writePem(directory, "peer.key", tls.peerKeyPem());
    }

    /** A member with free loopback ports, not started yet. */
    public Member member(String name) {
        Member member = new Member(name, TlsTestSupport.freeLoopbackPort(), TlsTestSupport.freeLoopbackPort());
        members.add(member);
        return member;
    }

    /** Polls {@code list} until every started member of the cluster is listed as started, or fails with the logs. */
    public void awaitStarted(EtcdMembers client, int startedMembers) {
        try {
            await().atMost(STARTUP_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(EtcdException.class) // not listening yet, or no leader yet
                    .until(() -> {
                        members.forEach(Member::assertRunning);
                        return client.list().stream()
                                        .filter(EtcdMember::started)
                                        .count()
                                >= startedMembers;
                    });
        } catch (ConditionTimeoutException e) {
            fail("etcd did not list " + startedMembers + " started members within " + STARTUP_TIMEOUT + " ("
                    + e.getMessage() + ")\n" + logs());
        }
    }

    /** The members made so far, in order. */
    public List<Member> members() {
        return List.copyOf(members);
    }

    public String logs() {
        return members.stream().map(m -> m.name + ":\n" + m.logTail()).collect(Collectors.joining("\n"));
    }

    public URI clientUri(Member member) {
        return URI.create(member.clientUrl());
    }

    @Override
    public void close() throws InterruptedException {
        for (Member member : members) {
            member.stop();
        }
    }
}
