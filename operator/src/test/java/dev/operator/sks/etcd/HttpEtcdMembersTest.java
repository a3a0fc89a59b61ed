package dev.operator.sks.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The membership client against a real TLS etcd, growing it from one member to two the way the operator does:
 * add a learner, start it with state {@code existing} and the membership at that point, promote it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpEtcdMembersTest {
    // The real clock: etcd checks validity against its own time.
    static final Pki pki = new BouncyCastlePki(Clock.systemUTC());

    @TempDir
    static Path directory;

    static IssuedCertificate etcdCa;
    static IssuedCertificate client;
    static LocalEtcd etcd;
    static LocalEtcd.Member first;
    static LocalEtcd.Member second;
    static EtcdMembers members;

    @BeforeAll
    static void startOneMember() throws Exception {
        etcdCa = pki.createCa("etcd-ca");
        // clientAuth too, as the operator issues it: etcd's JSON gateway dials etcd's own gRPC port with this
        // certificate.
        IssuedCertificate server = pki.issue(
                CertificateRequest.builder("etcd-server")
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa);
        IssuedCertificate peer = pki.issue(
                CertificateRequest.builder("etcd-peer")
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                etcdCa);
        client = pki.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                etcdCa);
        etcd = new LocalEtcd(
                directory,
                new LocalEtcd.Tls(
                        etcdCa.certificatePem(),
                        server.certificatePem(),
                        server.privateKeyPem(),
                        peer.certificatePem(),
                        peer.privateKeyPem()));
        first = etcd.member("etcd-0");
        second = etcd.member("etcd-1");
        first.start(first.initialClusterEntry(), "new");
        members = HttpEtcdMembers.connect(
                URI.create(first.clientUrl()),
                client.certificatePem(),
                client.privateKeyPem(),
                etcdCa.certificatePem());
        etcd.awaitStarted(members, 1);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        etcd.close();
    }

    @Test
    @Order(1)
    void listsTheFirstMemberAsAStartedVoter() throws Exception {
        List<EtcdMember> list = members.list();

        assertThat(list).singleElement().satisfies(member -> {
            assertThat(member.name()).isEqualTo("etcd-0");
            assertThat(member.peerUrls()).containsExactly(first.peerUrl());
            assertThat(member.clientUrls()).containsExactly(first.clientUrl());
            assertThat(member.learner()).isFalse();
            assertThat(member.id()).as("a uint64 as a decimal string").matches("[0-9]+");
        });
    }

    @Test
    @Order(2)
    void growsByALearnerThatStartsWithStateExistingAndIsPromoted() throws Exception {
        EtcdMember added = members.addLearner(second.peerUrl());

        assertThat(added.learner()).isTrue();
        assertThat(added.started()).as("listed before its process runs").isFalse();
        assertThat(members.list())
                .hasSize(2)
                .filteredOn(EtcdMember::learner)
                .singleElement()
                .extracting(EtcdMember::peerUrls)
                .isEqualTo(List.of(second.peerUrl()));
        assertThatThrownBy(() -> members.addLearner(second.peerUrl()))
                .as("the same peer URL twice")
                .isInstanceOf(EtcdException.class)
                .hasMessageContaining("already exist");

        // Exactly the membership at this point, itself included: etcd refuses a join whose count differs.
        second.start(first.initialClusterEntry() + "," + second.initialClusterEntry(), "existing");
        etcd.awaitStarted(members, 2);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    second.assertRunning();
                    try {
                        members.promote(added.id());
                        return true;
                    } catch (EtcdException e) {
                        if (e.learnerNotCaughtUp()) {
                            return false;
                        }
                        throw e;
                    }
                });

        assertThat(members.list())
                .hasSize(2)
                .allSatisfy(member -> {
                    assertThat(member.learner()).as(member.name()).isFalse();
                    assertThat(member.started()).as(member.name()).isTrue();
                })
                .extracting(EtcdMember::name)
                .containsExactlyInAnyOrder("etcd-0", "etcd-1");
    }

    @Test
    @Order(3)
    void promotingAMemberThatIsNoLearnerIsRefusedWithEtcdsReason() throws Exception {
        String voter = members.list().get(0).id();
        // etcd checks that the member is in sync before it checks that it is a learner: a voter that lags the leader
        // (a loaded machine, just after the join) is first refused as "not in sync", then as "no learner".
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try {
                        members.promote(voter);
                        return true;
                    } catch (EtcdException e) {
                        return !e.learnerNotCaughtUp();
                    }
                });

        assertThatThrownBy(() -> members.promote(voter))
                .isInstanceOf(EtcdException.class)
                .hasMessageContaining("HTTP")
                .hasMessageContaining("learner")
                .satisfies(e ->
                        assertThat(((EtcdException) e).learnerNotCaughtUp()).isFalse())
                .satisfies(e -> assertThat(((EtcdException) e).answered())
                        .as("reached, refused")
                        .isTrue());
    }

    @Test
    @Order(4)
    void aClientCertificateFromAnotherCaIsRefusedWithoutKeyMaterialInTheMessage() throws Exception {
        IssuedCertificate foreignCa = pki.createCa("etcd-ca"); // same name, other key
        IssuedCertificate foreign = pki.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                foreignCa);
        EtcdMembers refused = HttpEtcdMembers.connect(
                URI.create(first.clientUrl()),
                foreign.certificatePem(),
                foreign.privateKeyPem(),
                etcdCa.certificatePem());

        assertThatThrownBy(refused::list)
                .isInstanceOf(EtcdException.class)
                .hasMessageStartingWith("cannot reach etcd at " + first.clientUrl())
                .satisfies(e -> assertNoPemIn(e.getMessage(), foreign));
    }

    @Test
    @Order(5)
    void anEtcdServingACertificateFromAnotherCaIsNotTrusted() throws Exception {
        IssuedCertificate foreignCa = pki.createCa("etcd-ca");
        EtcdMembers distrustful = HttpEtcdMembers.connect(
                URI.create(first.clientUrl()),
                client.certificatePem(),
                client.privateKeyPem(),
                foreignCa.certificatePem());

        assertThatThrownBy(distrustful::list).isInstanceOf(EtcdException.class).hasMessageContaining("SSLHandshake");
    }

    @Test
    @Order(6)
    void nothingListeningFailsWithinTheShortTimeouts() throws Exception {
        EtcdMembers nobody = HttpEtcdMembers.connect(
                URI.create("https://127.0.0.1:" + dev.operator.sks.pki.TlsTestSupport.freeLoopbackPort()),
                client.certificatePem(),
                client.privateKeyPem(),
                etcdCa.certificatePem());
        long started = System.nanoTime();

        assertThatThrownBy(nobody::list)
                .isInstanceOf(EtcdException.class)
                .hasMessageContaining("ConnectException")
                .satisfies(e -> assertThat(((EtcdException) e).answered())
                        .as("not reached")
                        .isFalse());
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(HttpEtcdMembers.REQUEST_TIMEOUT.plus(HttpEtcdMembers.CONNECT_TIMEOUT));
    }

    @Test
    void unreadablePemIsRefusedWithoutEchoingIt() {
        String notAKey = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n-----END PRIVATE KEY-----\n";

        assertThatThrownBy(() -> HttpEtcdMembers.connect(
                        URI.create("https://127.0.0.1:2379"),
                        client.certificatePem(),
                        notAKey,
                        etcdCa.certificatePem()))
                .isInstanceOf(EtcdException.class)
                .hasMessageStartingWith("cannot use the etcd client certificate")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("c2VjcmV0"));
    }

    private static void assertNoPemIn(String message, IssuedCertificate certificate) {
        assertThat(message).doesNotContain("BEGIN").doesNotContain("PRIVATE KEY");
        for (String pem : List.of(certificate.privateKeyPem(), certificate.certificatePem())) {
            String body =
                    pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
            assertThat(message).doesNotContain(body.substring(0, 20));
        }
    }
}
