package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdMember;
import dev.operator.sks.etcd.EtcdMembers;
import dev.operator.sks.etcd.HttpEtcdMembers;
import dev.operator.sks.etcd.LocalEtcd;
import dev.operator.sks.etcd.TlsEtcdConnector;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starter -> pro against a real API server and a real etcd: the test plays the kubelet, starting an etcd process
 * with the flags the operator rendered each time it raises the StatefulSet's replicas (host names translated to
 * loopback ports), and the operator must grow etcd to three voting members by itself, one learner at a time.
 */
@SharedApiServer
class EtcdGrowthApiServerTest {
    static final String CLUSTER = "grow";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    /** The etcd processes playing the cluster's pods; none until the cluster's certificates exist. */
    static volatile Pods pods;

    @TempDir
    Path directory;

    String namespace;

    @BeforeAll
    static void startOperator() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                new SimpleMeterRegistry(),
                TenantClients.ServerOverride.NONE,
                EtcdGrowthApiServerTest::connect);
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @AfterEach
    void stopEtcd() throws InterruptedException {
        if (pods != null) {
            pods.etcd.close();
            pods = null;
        }
    }

    /**
     * The production connector with its address override pointed at member 0, and peer URLs translated between the
     * names the operator renders (which resolve nowhere here) and the loopback ports the processes listen on.
     */
    static EtcdMembers connect(KubernetesClient management, SKSCluster cluster, String clientUrl) throws EtcdException {
        Pods current = pods;
        if (current == null) {
            throw new EtcdException("no etcd process runs yet");
        }
        EtcdMembers real = new TlsEtcdConnector(
                        (ns, name, rendered) -> current.members.get(0).clientUrl())
                .connect(management, cluster, clientUrl);
        return new LoopbackPeers(real, current);
    }

    @Test
    void starterToProGrowsARealEtcdToThreeVotingMembersOneLearnerAtATime() throws Exception {
        namespace = ApiServerSupport.newNamespace(client, "etcd-grow");
        ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace);
        apply(ControlPlaneApiServerTest.cluster(CLUSTER, "1.33", "ClusterIP"));
        awaitCluster(c -> c.getStatus().state == ClusterState.Running);
        Pods started = new Pods(directory, namespace, tlsFromSecrets());
        started.start(0, statefulSet());
        EtcdMembers direct = started.direct(secret(Names.apiserverEtcdClient(CLUSTER)));
        started.etcd.awaitStarted(direct, 1);
        pods = started;

        // From here the test plays the kubelet by hand: a pod starts only when the test starts its process.
        kubelet.close();
        patchSpec("{\"spec\":{\"level\":\"pro\"}}");
        for (int ordinal = 1; ordinal < EtcdRenderer.PRO_MEMBERS; ordinal++) {
            int members = ordinal + 1;
            SKSCluster growing = awaitCluster(c -> etcdReady(c)
                    .getMessage()
                    .equals("adding etcd member " + members + " of 3 (learner, waiting for it to start)"));
            assertThat(etcdReady(growing).getReason()).isEqualTo("AddingMember");
            assertThat(growing.getStatus().state).isEqualTo(ClusterState.Updating);

            StatefulSet raised = statefulSet();
            assertThat(raised.getSpec().getReplicas()).isEqualTo(members);
            List<String> args = raised.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getArgs();
            assertThat(args).contains("--initial-cluster-state=existing");
            assertThat(flag(args, "initial-cluster").split(","))
                    .as("the membership now, learner included")
                    .hasSize(members);
            List<EtcdMember> listed = direct.list();
            assertThat(listed).hasSize(members);
            assertThat(listed)
                    .filteredOn(EtcdMember::learner)
                    .as("one learner, not started")
                    .singleElement()
                    .satisfies(learner -> assertThat(learner.started()).isFalse());

            started.start(ordinal, raised);
            kubelet.markAvailable(raised);
        }

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    started.members.forEach(LocalEtcd.Member::assertRunning);
                    assertThat(direct.list()).hasSize(3).allSatisfy(member -> {
                        assertThat(member.learner()).as(member.name()).isFalse();
                        assertThat(member.started()).as(member.name()).isTrue();
                    });
                });
        try (ClusterStandIn rest = ClusterStandIn.watch(client, namespace)) {
            SKSCluster pro = awaitCluster(c -> c.getStatus().state == ClusterState.Running
                    && c.getStatus().level == Level.PRO
                    && Conditions.isTrue(c.getStatus().conditions, Conditions.ETCD_READY));
            assertThat(etcdReady(pro).getReason()).isEqualTo("Available");
            StatefulSet grown = statefulSet();
            assertThat(grown.getSpec().getReplicas()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(client.v1()
                                    .events()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems())
                            .extracting(e -> e.getReason() + ": " + e.getMessage())
                            .contains(
                                    "EtcdMemberPromoted: promoted etcd member 2 of 3 to a voting member",
                                    "EtcdMemberPromoted: promoted etcd member 3 of 3 to a voting member")
                            .anySatisfy(m ->
                                    assertThat(m).startsWith("EtcdMemberAdded: added etcd member 2 of 3 as a learner"))
                            .anySatisfy(m -> assertThat(m)
                                    .startsWith("EtcdMemberAdded: added etcd member 3 of 3 as a learner")));
            assertThat(grown.getMetadata().getAnnotations()).containsEntry("sks.operator.dev/etcd-voting-members", "3");

            // Grown is stable: another reconcile (a spec change) renders the same StatefulSet and writes nothing.
            patchSpec("{\"spec\":{\"description\":\"grown\"}}");
            awaitCluster(c -> c.getStatus().observedGeneration != null
                    && c.getStatus().observedGeneration.equals(c.getMetadata().getGeneration())
                    && c.getStatus().state == ClusterState.Running);
            assertThat(statefulSet().getMetadata().getGeneration())
                    .isEqualTo(grown.getMetadata().getGeneration());
            assertThat(statefulSet().getMetadata().getAnnotations())
                    .isEqualTo(grown.getMetadata().getAnnotations());
        }
    }

    /** Three members' processes, each started with the flags the operator rendered for its pod. */
    final class Pods {
        final LocalEtcd etcd;
        final String namespace;
        final List<LocalEtcd.Member> members = new ArrayList<>();
        final LocalEtcd.Tls tls;

        Pods(Path directory, String namespace, LocalEtcd.Tls tls) {
            this.etcd = new LocalEtcd(directory, tls);
            this.namespace = namespace;
            this.tls = tls;
            for (int ordinal = 0; ordinal < EtcdRenderer.PRO_MEMBERS; ordinal++) {
                members.add(etcd.member(Names.etcdMember(CLUSTER, ordinal)));
            }
        }

        /** The peer URL the operator renders for a member: a name only the management cluster's DNS knows. */
        String renderedPeerUrl(int ordinal) {
            return "https://" + Names.etcdMember(CLUSTER, ordinal) + "." + Names.etcdPeerService(CLUSTER) + "."
                    + namespace + ".svc:" + EtcdRenderer.PEER_PORT;
        }

        String toLocal(String peerUrl) {
            for (int ordinal = 0; ordinal < members.size(); ordinal++) {
                if (renderedPeerUrl(ordinal).equals(peerUrl)) {
                    return members.get(ordinal).peerUrl();
                }
            }
            throw new AssertionError("the operator used a peer URL no pod would advertise: " + peerUrl);
        }

        String toRendered(String localPeerUrl) {
            for (int ordinal = 0; ordinal < members.size(); ordinal++) {
                if (members.get(ordinal).peerUrl().equals(localPeerUrl)) {
                    return renderedPeerUrl(ordinal);
                }
            }
            return localPeerUrl;
        }

        /** Starts the member's process as its pod would: with the StatefulSet's initial-cluster flags. */
        void start(int ordinal, StatefulSet statefulSet) throws Exception {
            List<String> args = statefulSet
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getArgs();
            String initialCluster = List.of(flag(args, "initial-cluster").split(",")).stream()
                    .map(entry -> {
                        String[] nameAndUrl = entry.split("=", 2);
                        return nameAndUrl[0] + "=" + toLocal(nameAndUrl[1]);
                    })
                    .collect(Collectors.joining(","));
            members.get(ordinal).start(initialCluster, flag(args, "initial-cluster-state"));
        }

        EtcdMembers direct(Secret apiserverEtcdClient) throws EtcdException {
            return HttpEtcdMembers.connect(
                    URI.create(members.get(0).clientUrl()),
                    value(apiserverEtcdClient, "tls.crt"),
                    value(apiserverEtcdClient, "tls.key"),
                    value(apiserverEtcdClient, "ca.crt"));
        }
    }

    /** What the operator sees: etcd's answers with loopback peer URLs shown as the names it rendered. */
    record LoopbackPeers(EtcdMembers real, Pods pods) implements EtcdMembers {
        @Override
        public List<EtcdMember> list() throws EtcdException {
            List<EtcdMember> translated = new ArrayList<>();
            for (EtcdMember member : real.list()) {
                translated.add(rendered(member));
            }
            return translated;
        }

        @Override
        public EtcdMember addLearner(String peerUrl) throws EtcdException {
            return rendered(real.addLearner(pods.toLocal(peerUrl)));
        }

        @Override
        public void promote(String memberId) throws EtcdException {
            real.promote(memberId);
        }

        private EtcdMember rendered(EtcdMember member) {
            return new EtcdMember(
                    member.id(),
                    member.name(),
                    member.peerUrls().stream().map(pods::toRendered).toList(),
                    member.clientUrls(),
                    member.learner());
        }
    }

    private LocalEtcd.Tls tlsFromSecrets() {
        Secret server = secret(Names.etcdServerCertificate(CLUSTER));
        Secret peer = secret(Names.etcdPeerCertificate(CLUSTER));
        return new LocalEtcd.Tls(
                value(server, "ca.crt"),
                value(server, "tls.crt"),
                value(server, "tls.key"),
                value(peer, "tls.crt"),
                value(peer, "tls.key"));
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    private static String value(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static String flag(List<String> args, String name) {
        String prefix = "--" + name + "=";
        return args.stream()
                .filter(a -> a.startsWith(prefix))
                .map(a -> a.substring(prefix.length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + args));
    }

    private static io.fabric8.kubernetes.api.model.Condition etcdReady(SKSCluster cluster) {
        return Conditions.find(cluster.getStatus().conditions, Conditions.ETCD_READY)
                .orElseThrow();
    }

    private StatefulSet statefulSet() {
        return client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(Names.etcdStatefulSet(CLUSTER))
                .get();
    }

    private void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private void patchSpec(String mergePatch) {
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    private SKSCluster awaitCluster(Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().conditions != null
                                && Conditions.find(c.getStatus().conditions, Conditions.ETCD_READY)
                                        .isPresent()
                                && condition.test(c));
    }
}
