package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterEtcd;
import dev.operator.sks.api.SKSClusterEtcdMember;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.etcd.EtcdAlarm;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdMaintenance;
import dev.operator.sks.etcd.EtcdMaintenancePlan;
import dev.operator.sks.etcd.EtcdMember;
import dev.operator.sks.etcd.EtcdMemberStatus;
import dev.operator.sks.etcd.HttpEtcdMembers;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's etcd maintenance against real etcd processes with TLS: a member filled to its (tiny) quota raises
 * NOSPACE, which the maintenance reports, compacts, defragments and disarms, so writes work again; and a three-member
 * cluster with freed pages is defragmented one member per round, leader last, its db files shrinking, and not at all
 * while a member is down. The test drives the rounds with a {@link MutableClock}, so no step waits for real time.
 */
class EtcdMaintainerTest {
    static final long MIB = 1024 * 1024;
    static final long QUOTA = 16 * MIB;
    static final ObjectMapper JSON = new ObjectMapper();
    // The real clock for certificates: etcd checks validity against its own time.
    static final Pki pki = new BouncyCastlePki(Clock.systemUTC());

    @TempDir
    Path directory;

    IssuedCertificate ca;
    IssuedCertificate client;
    LocalEtcd etcd;
    HttpClient kv;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    final List<String> events = new CopyOnWriteArrayList<>();
    final EventRecorder recorder = (regarding, type, reason, message) -> events.add(reason + ": " + message);
    /** Defragmentations asked of etcd, by client URL, in order; and how many ran at once at most. */
    final List<String> defragmented = new CopyOnWriteArrayList<>();

    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    EtcdMaintainer maintainer;

    @BeforeEach
    void certificates() {
        ca = pki.createCa("etcd-ca");
        IssuedCertificate server = pki.issue(
                CertificateRequest.builder("etcd-server")
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                ca);
        IssuedCertificate peer = pki.issue(
                CertificateRequest.builder("etcd-peer")
                        .serverAuth()
                        .clientAuth()
                        .dnsNames("localhost")
                        .ipAddresses("127.0.0.1")
                        .build(),
                ca);
        client = pki.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                ca);
        etcd = new LocalEtcd(
                directory,
                new LocalEtcd.Tls(
                        ca.certificatePem(),
                        server.certificatePem(),
                        server.privateKeyPem(),
                        peer.certificatePem(),
                        peer.privateKeyPem()));
        kv = TlsTestSupport.httpClient(
                TlsTestSupport.sslContext(client.certificatePem(), client.privateKeyPem(), ca.certificatePem()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (maintainer != null) {
            maintainer.close();
        }
        etcd.close();
    }

    @Test
    void noSpaceIsReportedThenCompactedDefragmentedAndDisarmedSoWritesWorkAgain() throws Exception {
        LocalEtcd.Member member = etcd.member("etcd-0");
        member.start(member.initialClusterEntry(), "new", List.of("--quota-backend-bytes=" + QUOTA));
        EtcdMaintenance direct = connect(member.clientUrl());
        etcd.awaitStarted(direct, 1);
        // Overwriting one key keeps every old value until a compaction: the db grows to the quota.
        byte[] value = new byte[512 * 1024];
        new Random(14).nextBytes(value);
        String refusal = "";
        for (int i = 0; i < 200 && refusal.isEmpty(); i++) {
            HttpResponse<String> put = put(member, "/registry/fill", value);
            if (put.statusCode() != 200) {
                refusal = put.body();
            }
        }
        assertThat(refusal).contains("database space exceeded");
        assertThat(direct.alarms()).extracting(EtcdAlarm::type).containsExactly(EtcdAlarm.NOSPACE);
        maintainer = maintainer(EtcdMaintenancePlan.Policy.DEFAULT);

        // Detected and reported, while growth holds the recovery back.
        EtcdMaintainer.Report waiting = round(request(1, true), r -> r.noSpace().isPresent());
        SKSClusterStatus status = new SKSClusterStatus();
        status.etcd = new SKSClusterEtcd(1, 0);
        ClusterStatusReport.etcdMaintenance(status, Optional.of(waiting), 1L, clock);
        Condition etcdReady =
                Conditions.find(status.conditions, Conditions.ETCD_READY).orElseThrow();
        assertThat(etcdReady.getStatus()).isEqualTo("False");
        assertThat(etcdReady.getReason()).isEqualTo("NoSpace");
        assertThat(etcdReady.getMessage())
                .isEqualTo("etcd's db reached its quota (NOSPACE alarm): the cluster refuses writes; the operator "
                        + "compacts and defragments it when it can, and waits: etcd is growing. If this persists, "
                        + "delete objects in the cluster or raise the etcd storage");
        assertThat(status.etcd.memberStatus).singleElement().satisfies(m -> {
            assertThat(m.name).isEqualTo("etcd-0");
            assertThat(m.dbSizeBytes).isGreaterThanOrEqualTo(QUOTA * 9 / 10);
            assertThat(m.lastDefragmentation).isNull();
        });
        assertThat(put(member, "/registry/after", "x".getBytes(StandardCharsets.UTF_8))
                        .statusCode())
                .as("still refused")
                .isNotEqualTo(200);

        clock.advance(EtcdMaintainer.STEP_PAUSE);
        EtcdMaintainer.Report recovered =
                round(request(1, false), r -> r.noSpace().isEmpty());

        assertThat(recovered.message())
                .startsWith("etcd has room again after compaction and defragmentation (")
                .endsWith(" of 16 MiB); disarming the NOSPACE alarm");
        assertThat(direct.alarms()).isEmpty();
        assertThat(put(member, "/registry/after", "x".getBytes(StandardCharsets.UTF_8))
                        .statusCode())
                .as("writes work again")
                .isEqualTo(200);
        assertThat(recovered.members())
                .singleElement()
                .satisfies(db -> assertThat(db.dbSize()).isLessThan(4 * MIB));
        assertThat(recovered.lastDefragmentations()).containsEntry("etcd-0", clock.instant());
        assertThat(defragmented).containsExactly(member.clientUrl());
        assertThat(events)
                .anySatisfy(e -> assertThat(e)
                        .startsWith("EtcdDefragmented: defragmented etcd member etcd-0: its db " + "file went from 1"))
                .anySatisfy(e -> assertThat(e).startsWith("EtcdSpaceRecovered: etcd has room again"));

        // The status the next reconcile writes: EtcdReady is the control plane's again, the time is kept.
        SKSClusterStatus after = new SKSClusterStatus();
        after.etcd = new SKSClusterEtcd(1, 0);
        ClusterStatusReport.etcdMaintenance(after, Optional.of(recovered), 1L, clock);
        assertThat(Conditions.find(after.conditions, Conditions.ETCD_READY)).isEmpty();
        assertThat(after.etcd.memberStatus)
                .singleElement()
                .satisfies(m -> assertThat(m.lastDefragmentation).isEqualTo(Conditions.timestamp(clock.instant())));
        assertThat(ClusterStatusReport.lastDefragmentations(after)).containsEntry("etcd-0", clock.instant());
    }

    @Test
    void threeMembersAreDefragmentedOneAtATimeLeaderLastAndTheirDbsShrink() throws Exception {
        List<LocalEtcd.Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(etcd.member("etcd-" + i));
        }
        String initialCluster =
                members.stream().map(LocalEtcd.Member::initialClusterEntry).collect(Collectors.joining(","));
        for (LocalEtcd.Member member : members) {
            member.start(initialCluster, "new");
        }
        EtcdMaintenance direct = connect(members.get(0).clientUrl());
        etcd.awaitStarted(direct, 3);
        // 12 MiB written, deleted and compacted (as the API server compacts): free pages a defragmentation returns.
        byte[] value = new byte[128 * 1024];
        new Random(3).nextBytes(value);
        for (int i = 0; i < 96; i++) {
            assertThat(put(members.get(0), "/registry/bulk/" + i, value).statusCode())
                    .isEqualTo(200);
        }
        assertThat(deletePrefix(members.get(0), "/registry/bulk/").statusCode()).isEqualTo(200);
        direct.compact(direct.status().revision());
        Map<String, Long> before = sizes(direct);
        assertThat(before.values()).allSatisfy(size -> assertThat(size).isGreaterThan(10 * MIB));
        String leader = leaderName(direct);
        // A tenth free is enough here: bbolt counts pages freed by the compaction as in use until a later write
        // transaction releases them, so the followers show less free than the leader (which wrote since).
        maintainer = maintainer(new EtcdMaintenancePlan.Policy(Duration.ofDays(1), MIB, 0.1));

        List<String> order = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            int done = round;
            EtcdMaintainer.Report report =
                    round(request(3, false), r -> r.lastDefragmentations().size() == done);
            assertThat(defragmented).as("one member per round").hasSize(round);
            order.add(nameOf(members, defragmented.get(round - 1)));
            assertThat(report.message()).startsWith("defragmenting etcd member " + order.get(round - 1));
            clock.advance(EtcdMaintainer.STEP_PAUSE);
        }
        EtcdMaintainer.Report idle = round(request(3, false), r -> r.message().startsWith("no etcd member"));

        assertThat(mostAtOnce.get()).as("never two at once").isEqualTo(1);
        assertThat(order)
                .as("each once, leader last")
                .doesNotHaveDuplicates()
                .hasSize(3)
                .last()
                .isEqualTo(leader);
        Map<String, Long> after = sizes(direct);
        after.forEach((name, size) ->
                assertThat(size).as(name + " shrank from " + before.get(name)).isLessThan(before.get(name) / 4));
        assertThat(idle.members())
                .extracting(EtcdMaintainer.MemberDb::name)
                .containsExactly("etcd-0", "etcd-1", "etcd-2");
        assertThat(events).filteredOn(e -> e.startsWith("EtcdDefragmented")).hasSize(3);

        // A day on everything is due again by time, but with a member down nothing is defragmented.
        // A follower: stopping the leader would cost an election, during which etcd answers nothing.
        LocalEtcd.Member follower = members.stream()
                .filter(m -> !m.name.equals(leader))
                .reduce((a, b) -> b)
                .orElseThrow();
        follower.stop();
        clock.advance(Duration.ofDays(2));
        EtcdMaintainer.Report held = round(request(3, false), r -> r.message().startsWith("defragmentation waits"));
        assertThat(held.message())
                .startsWith("defragmentation waits: member " + follower.name + " is down (cannot reach etcd at ");
        assertThat(defragmented).hasSize(3);
    }

    @Test
    void aRoundThatCannotReachEtcdWakesNoClusterAndOneThatFindsItsSizesDoes() throws Exception {
        List<ResourceID> woken = new CopyOnWriteArrayList<>();
        maintainer = new EtcdMaintainer(
                (management, cluster, url) -> {
                    throw new EtcdException("cannot reach etcd at " + url);
                },
                recorder,
                clock,
                EtcdMaintenancePlan.Policy.DEFAULT);
        maintainer.wakeWith(woken::add);
        EtcdMaintainer.Report unreachable = round(request(1, false), r -> true);
        assertThat(unreachable.message()).startsWith("cannot reach etcd: ");
        // Status already shows what this report holds (no sizes, no defragmentation): nothing to reconcile for.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(woken::isEmpty);
        maintainer.close();

        LocalEtcd.Member member = etcd.member("etcd-0");
        member.start(member.initialClusterEntry(), "new", List.of());
        etcd.awaitStarted(connect(member.clientUrl()), 1);
        maintainer = maintainer(EtcdMaintenancePlan.Policy.DEFAULT);
        maintainer.wakeWith(woken::add);
        EtcdMaintainer.Report found = round(request(1, false), r -> !r.members().isEmpty());
        assertThat(found.members()).extracting(EtcdMaintainer.MemberDb::name).containsExactly("etcd-0");
        await().atMost(Duration.ofSeconds(10)).until(() -> !woken.isEmpty());
        assertThat(woken)
                .containsExactly(ResourceID.fromResource(request(1, false).cluster()));
    }

    @Test
    void noClientIsOpenedForAnEtcdThatHasNotServedYet() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        maintainer = unreachable(connects);
        maintainer.wakeWith(id -> {});
        assertThat(maintainer.request(null, request(1, false, false, null))).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(maintainer.request(null, request(1, false, false, new SKSClusterStatus())))
                .isEmpty();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> connects.get() == 0);

        // A member ready: rounds start, and go on while no member is ready (NOSPACE keeps none from being restarted).
        round(request(1, false, true, null), r -> true);
        int afterReady = connects.get();
        assertThat(afterReady).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        round(request(1, false, false, null), r -> connects.get() > afterReady);
        maintainer.close();

        // A new operator: status shows what an earlier round found, so etcd has served, ready member or not.
        AtomicInteger restarted = new AtomicInteger();
        maintainer = unreachable(restarted);
        SKSClusterStatus reported = new SKSClusterStatus();
        reported.etcd = new SKSClusterEtcd();
        reported.etcd.memberStatus = List.of(new SKSClusterEtcdMember("etcd-0", 20 * MIB, 2 * MIB, null));
        round(request(1, false, false, reported), r -> true);
        assertThat(restarted.get()).isEqualTo(1);
    }

    // --- driving the maintainer

    /** A maintainer whose etcd never answers, counting the clients it tries to open. */
    EtcdMaintainer unreachable(AtomicInteger connects) {
        return new EtcdMaintainer(
                (management, cluster, url) -> {
                    connects.incrementAndGet();
                    throw new EtcdException("no member answers");
                },
                recorder,
                clock,
                EtcdMaintenancePlan.Policy.DEFAULT);
    }

    EtcdMaintainer maintainer(EtcdMaintenancePlan.Policy policy) {
        return new EtcdMaintainer(
                (management, cluster, url) ->
                        new Recording(connect(etcd.clientUri(firstMember()).toString())),
                recorder,
                clock,
                policy);
    }

    LocalEtcd.Member firstMember() {
        return etcd.members().get(0);
    }

    EtcdMaintainer.Request request(int members, boolean growing) {
        return request(members, growing, true, null);
    }

    EtcdMaintainer.Request request(int members, boolean growing, boolean serving, SKSClusterStatus status) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("maint")
                .withNamespace("etcd-maintenance")
                .withUid("4f1e0c9a-1111-4222-8333-944455556666")
                .build());
        cluster.setStatus(status);
        return new EtcdMaintainer.Request(
                cluster,
                "https://maint-etcd-0.maint-etcd-peer.etcd-maintenance.svc:2379",
                "digest",
                members,
                serving,
                growing,
                false,
                Map.of(),
                QUOTA,
                clock.instant().minus(Duration.ofDays(1)));
    }

    /** Asks until a round has ended with a report that {@code done} accepts. */
    EtcdMaintainer.Report round(EtcdMaintainer.Request request, Predicate<EtcdMaintainer.Report> done) {
        List<EtcdMaintainer.Report> seen = new CopyOnWriteArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Optional<EtcdMaintainer.Report> last = maintainer.request(null, request);
                        last.ifPresent(seen::add);
                        return last.filter(done).isPresent();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "no such report; the last: " + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)) + "\n"
                            + etcd.logs(),
                    e);
        }
        return seen.get(seen.size() - 1);
    }

    // --- etcd at hand

    EtcdMaintenance connect(String url) throws EtcdException {
        return HttpEtcdMembers.connect(
                URI.create(url), client.certificatePem(), client.privateKeyPem(), ca.certificatePem());
    }

    HttpResponse<String> put(LocalEtcd.Member member, String key, byte[] value) throws Exception {
        return post(
                member,
                "/v3/kv/put",
                Map.of("key", base64(key.getBytes(StandardCharsets.UTF_8)), "value", base64(value)));
    }

    HttpResponse<String> deletePrefix(LocalEtcd.Member member, String prefix) throws Exception {
        byte[] key = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = key.clone();
        end[end.length - 1]++;
        return post(member, "/v3/kv/deleterange", Map.of("key", base64(key), "range_end", base64(end)));
    }

    HttpResponse<String> post(LocalEtcd.Member member, String path, Map<String, String> body) throws Exception {
        return kv.send(
                HttpRequest.newBuilder(URI.create(member.clientUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Each member's db file size, by name. */
    Map<String, Long> sizes(EtcdMaintenance any) throws EtcdException {
        Map<String, Long> sizes = new java.util.TreeMap<>();
        for (EtcdMember member : any.list()) {
            sizes.put(
                    member.name(),
                    any.member(member.clientUrls().get(0)).status().dbSize());
        }
        return sizes;
    }

    String leaderName(EtcdMaintenance any) throws EtcdException {
        EtcdMemberStatus status = any.status();
        return any.list().stream()
                .filter(m -> m.id().equals(status.leaderId()))
                .findFirst()
                .orElseThrow()
                .name();
    }

    static String nameOf(List<LocalEtcd.Member> members, String clientUrl) {
        return members.stream()
                .filter(m -> m.clientUrl().equals(clientUrl))
                .findFirst()
                .orElseThrow()
                .name;
    }

    /** Delegates to the real client and records each defragmentation, and how many run at once. */
    final class Recording implements EtcdMaintenance {
        private final EtcdMaintenance delegate;
        private final String url;

        Recording(EtcdMaintenance delegate) {
            this(delegate, firstMember().clientUrl());
        }

        Recording(EtcdMaintenance delegate, String url) {
            this.delegate = delegate;
            this.url = url;
        }

        @Override
        public void defragment() throws EtcdException {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                defragmented.add(url);
                delegate.defragment();
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public EtcdMaintenance member(String clientUrl) throws EtcdException {
            return new Recording(delegate.member(clientUrl), clientUrl);
        }

        @Override
        public EtcdMemberStatus status() throws EtcdException {
            return delegate.status();
        }

        @Override
        public List<EtcdAlarm> alarms() throws EtcdException {
            return delegate.alarms();
        }

        @Override
        public void disarm(EtcdAlarm alarm) throws EtcdException {
            delegate.disarm(alarm);
        }

        @Override
        public void compact(long revision) throws EtcdException {
            delegate.compact(revision);
        }

        @Override
        public List<EtcdMember> list() throws EtcdException {
            return delegate.list();
        }

        @Override
        public EtcdMember addLearner(String peerUrl) throws EtcdException {
            return delegate.addLearner(peerUrl);
        }

        @Override
        public void promote(String memberId) throws EtcdException {
            delegate.promote(memberId);
        }
    }
}
