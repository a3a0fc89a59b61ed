package dev.operator.sks.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.demo.LocalProcessPlan.FlagNote;
import dev.operator.sks.demo.LocalProcessPlan.LocalMount;
import dev.operator.sks.demo.LocalProcessPlan.LocalProcess;
import dev.operator.sks.demo.LocalProcessPlan.Loopback;
import dev.operator.sks.demo.LocalProcessPlan.Role;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ApiserverRenderer;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.ControllerManagerRenderer;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.rendering.SchedulerRenderer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rendered control plane as local processes: only what must differ on loopback differs, each change named. */
class LocalProcessPlanTest {
    private static final Path DIR = Path.of("/tmp/sks-demo-tenant-test");
    private static final Loopback LOOPBACK = new Loopback(DIR, 12379, 12380, 12381, 16443, 20257, 20259);
    /** A binary that accepts every flag. */
    private static final LocalProcessPlan.FlagSupport ANY = (flag, value) -> true;

    private static ControlPlaneInputs inputs(Level level) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("demo")
                .withUid("3f0c1a52-9d3e-4a51-8f0e-2b6f4f7b1c11")
                .withGeneration(1L)
                .build());
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.level = level;
        spec.version = "1.33";
        cluster.setSpec(spec);
        return new ControlPlaneInputs(
                ClusterModel.from(cluster, VersionCatalog.loadDefault()),
                KubernetesVersion.of("1.33.4"),
                Optional.of("192.0.2.10"),
                Map.of());
    }

    private static PodSpec etcdPod(Level level) {
        return EtcdRenderer.statefulSet(inputs(level)).getSpec().getTemplate().getSpec();
    }

    private static PodSpec apiserverPod() {
        return ApiserverRenderer.deployment(inputs(Level.STARTER))
                .getSpec()
                .getTemplate()
                .getSpec();
    }

    private static List<String> flag(LocalProcess process, String name) {
        List<String> values = new ArrayList<>();
        for (String arg : process.args()) {
            if (arg.startsWith("--" + name + "=")) {
                values.add(arg.substring(name.length() + 3));
            }
        }
        return values;
    }

    /** Nothing of the pod's world is left: no in-cluster address, no mount path, no unexpanded variable. */
    private static void assertLocal(LocalProcess process) {
        assertThat(process.args())
                .allSatisfy(arg -> assertThat(arg)
                        // An in-cluster address (the service-account issuer is a name, not an address, and stays).
                        .doesNotContainPattern("\\.svc:\\d")
                        .doesNotContain("$(")
                        .doesNotContain("0.0.0.0")
                        .doesNotContainPattern("=/(etc|var|run)/"));
    }

    @Test
    void etcdRunsOneMemberOnLoopbackWithItsFilesInTheTempDirectory() {
        LocalProcess etcd = LocalProcessPlan.plan(Role.ETCD, etcdPod(Level.STARTER), "demo-etcd-0", LOOPBACK, ANY);

        assertLocal(etcd);
        assertThat(flag(etcd, "name")).containsExactly("demo-etcd-0");
        assertThat(flag(etcd, "listen-client-urls")).containsExactly("https://127.0.0.1:12379");
        assertThat(flag(etcd, "advertise-client-urls")).containsExactly("https://127.0.0.1:12379");
        assertThat(flag(etcd, "listen-peer-urls")).containsExactly("https://127.0.0.1:12380");
        assertThat(flag(etcd, "initial-advertise-peer-urls")).containsExactly("https://127.0.0.1:12380");
        assertThat(flag(etcd, "initial-cluster")).containsExactly("demo-etcd-0=https://127.0.0.1:12380");
        assertThat(flag(etcd, "listen-metrics-urls")).containsExactly("http://127.0.0.1:12381");
        assertThat(flag(etcd, "data-dir")).containsExactly(DIR + "/etcd/data/data");
        assertThat(flag(etcd, "cert-file")).containsExactly(DIR + "/etcd/server-tls/tls.crt");
        assertThat(flag(etcd, "peer-key-file")).containsExactly(DIR + "/etcd/peer-tls/tls.key");
        // Kept as rendered.
        assertThat(flag(etcd, "client-cert-auth")).containsExactly("true");
        assertThat(flag(etcd, "initial-cluster-token")).containsExactly("demo");
        assertThat(etcd.dropped()).isEmpty();
        assertThat(etcd.mounts())
                .extracting(LocalMount::volume, LocalMount::secret)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("server-tls", Optional.of("demo-etcd-server")),
                        org.assertj.core.groups.Tuple.tuple("data", Optional.empty()));
    }

    @Test
    void aProClustersEtcdRunsAsOneFreshMember() {
        LocalProcess etcd = LocalProcessPlan.plan(Role.ETCD, etcdPod(Level.PRO), "demo-etcd-0", LOOPBACK, ANY);

        assertThat(flag(etcd, "initial-cluster")).containsExactly("demo-etcd-0=https://127.0.0.1:12380");
        assertThat(flag(etcd, "initial-cluster-state")).containsExactly("new");
    }

    @Test
    void flagsTheBinaryDoesNotAcceptAreDroppedAndNamed() {
        Set<String> old =
                Set.of("feature-gates", "watch-progress-notify-interval", "experimental-initial-corrupt-check");
        LocalProcess etcd = LocalProcessPlan.plan(
                Role.ETCD, etcdPod(Level.STARTER), "demo-etcd-0", LOOPBACK, (flag, value) -> !old.contains(flag));

        assertThat(etcd.args()).noneMatch(arg -> old.stream().anyMatch(f -> arg.startsWith("--" + f + "=")));
        assertThat(etcd.dropped()).isNotEmpty().allSatisfy(note -> {
            assertThat(old).contains(note.flag());
            assertThat(note.why()).isEqualTo(LocalProcessPlan.NOT_ACCEPTED);
        });
    }

    @Test
    void theApiServerReachesTheLocalEtcdListensOnLoopbackAndLosesOnlyItsEgressSelector() {
        PodSpec pod = apiserverPod();
        LocalProcess apiserver = LocalProcessPlan.plan(Role.KUBE_APISERVER, pod, "kube-apiserver", LOOPBACK, ANY);

        assertLocal(apiserver);
        assertThat(flag(apiserver, "etcd-servers")).containsExactly("https://127.0.0.1:12379");
        assertThat(flag(apiserver, "secure-port")).containsExactly("16443");
        assertThat(flag(apiserver, "bind-address")).containsExactly("127.0.0.1");
        assertThat(flag(apiserver, "tls-cert-file")).containsExactly(DIR + "/kube-apiserver/serving-tls/tls.crt");
        assertThat(flag(apiserver, "client-ca-file"))
                .containsExactly(DIR + "/kube-apiserver/client-ca/client-ca-bundle.crt");
        assertThat(flag(apiserver, "egress-selector-config-file")).isEmpty();
        assertThat(apiserver.dropped())
                .containsExactly(new FlagNote("egress-selector-config-file", LocalProcessPlan.KONNECTIVITY_NOT_RUN));
        // The endpoint address is only written into the tenant's kubernetes Service, never bound.
        assertThat(flag(apiserver, "advertise-address")).containsExactly("192.0.2.10");
        assertThat(apiserver.added())
                .extracting(FlagNote::flag)
                .containsExactlyInAnyOrder("bind-address", "insecure-port");
        assertThat(flag(apiserver, "insecure-port")).containsExactly("0");

        // Every other flag is the rendered one, value for value: all but files, the egress selector and the two
        // addresses.
        Set<String> rewritten = Set.of("--etcd-servers=", "--secure-port=", "--egress-selector-config-file=");
        assertThat(pod.getContainers().get(0).getArgs())
                .filteredOn(arg -> !arg.contains("=/") && rewritten.stream().noneMatch(arg::startsWith))
                .isNotEmpty()
                .allSatisfy(arg -> assertThat(apiserver.args()).contains(arg));

        LocalMount clientCa = apiserver.mounts().stream()
                .filter(m -> m.volume().equals("client-ca"))
                .findFirst()
                .orElseThrow();
        assertThat(clientCa.secret()).contains(Names.clientCaBundle("demo"));
        assertThat(clientCa.file("ca.crt")).contains(DIR.resolve("kube-apiserver/client-ca/client-ca-bundle.crt"));
        assertThat(clientCa.file("tls.key")).isEmpty();
    }

    @Test
    void aPlainHttpPortIsClosedOnlyWhereTheBinaryStillHasIt() {
        LocalProcess current = LocalProcessPlan.plan(
                Role.KUBE_APISERVER,
                apiserverPod(),
                "kube-apiserver",
                LOOPBACK,
                (flag, value) -> !flag.equals("insecure-port"));

        assertThat(flag(current, "insecure-port")).isEmpty();
        assertThat(current.added()).extracting(FlagNote::flag).containsExactly("bind-address");
    }

    @Test
    void theControllerManagerAndSchedulerListenOnLoopbackWithLocalKubeconfigs() {
        PodSpec controllerManagerPod = ControllerManagerRenderer.deployment(inputs(Level.STARTER))
                .getSpec()
                .getTemplate()
                .getSpec();
        PodSpec schedulerPod = SchedulerRenderer.deployment(inputs(Level.STARTER))
                .getSpec()
                .getTemplate()
                .getSpec();
        LocalProcess controllerManager =
                LocalProcessPlan.plan(Role.KUBE_CONTROLLER_MANAGER, controllerManagerPod, "kcm", LOOPBACK, ANY);
        LocalProcess scheduler = LocalProcessPlan.plan(Role.KUBE_SCHEDULER, schedulerPod, "sched", LOOPBACK, ANY);

        assertLocal(controllerManager);
        assertLocal(scheduler);
        assertThat(flag(controllerManager, "secure-port")).containsExactly("20257");
        assertThat(flag(scheduler, "secure-port")).containsExactly("20259");
        assertThat(flag(controllerManager, "bind-address")).containsExactly("127.0.0.1");
        assertThat(flag(scheduler, "bind-address")).containsExactly("127.0.0.1");
        assertThat(flag(controllerManager, "kubeconfig"))
                .containsExactly(DIR + "/kube-controller-manager/kubeconfig/kubeconfig");
        assertThat(flag(controllerManager, "cluster-signing-key-file"))
                .containsExactly(DIR + "/kube-controller-manager/cluster-ca/tls.key");
        assertThat(flag(scheduler, "kubeconfig")).containsExactly(DIR + "/kube-scheduler/kubeconfig/kubeconfig");
        assertThat(flag(controllerManager, "port")).containsExactly("0");
        assertThat(flag(scheduler, "port")).containsExactly("0");
        assertThat(flag(controllerManager, "controllers")).containsExactly("*,bootstrapsigner,tokencleaner");
    }

    @Test
    void aPodWithoutTheRolesContainerIsRefused() {
        assertThatThrownBy(() -> LocalProcessPlan.plan(Role.KUBE_SCHEDULER, apiserverPod(), "x", LOOPBACK, ANY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kube-scheduler");
    }

    @Test
    void aMountedKubeconfigIsPointedAtTheLocalServerAndNothingElseChanges() {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - cluster:
                    certificate-authority-data: Q0E=
                    server: https://demo-apiserver.demo.svc:443
                  name: demo
                users:
                - name: admin
                  user:
                    client-key-data: S0VZ
                """;

        String local = LocalProcessPlan.pointKubeconfigAt(kubeconfig, "https://127.0.0.1:16443");

        assertThat(local)
                .isEqualTo(kubeconfig.replace("https://demo-apiserver.demo.svc:443", "https://127.0.0.1:16443"));
        assertThat(LocalProcessPlan.pointKubeconfigAt("    server: \"https://192.0.2.1:443\"\n", "https://x:1"))
                .isEqualTo("    server: https://x:1\n");
    }

    @Test
    void helpTextsOfBothStylesListTheirFlags() {
        String pflag = """
                Generic flags:

                      --advertise-address ip   The IP address on which to advertise.
                      --egress-selector-config-file string   File with apiserver egress selector configuration.
                  -h, --help                   help for kube-apiserver
                """;
        String etcd = """
                Member:
                  --name 'default'
                    Human-readable name for this member.
                  --experimental-initial-corrupt-check 'false'
                    Enable to check data corruption before serving any client/peer traffic.
                """;

        assertThat(BinaryFlags.listedFlags(pflag))
                .containsExactlyInAnyOrder("advertise-address", "egress-selector-config-file", "help");
        assertThat(BinaryFlags.listedFlags(etcd))
                .containsExactlyInAnyOrder("name", "experimental-initial-corrupt-check");
    }

    @Test
    void callersFlagsReplaceTheRenderedOnesOfTheSameNameAndAreNoted() {
        PodSpec pod = ControllerManagerRenderer.deployment(inputs(Level.STARTER))
                .getSpec()
                .getTemplate()
                .getSpec();
        LocalProcess rendered = LocalProcessPlan.plan(Role.KUBE_CONTROLLER_MANAGER, pod, "kcm", LOOPBACK, ANY);
        assertThat(flag(rendered, "leader-elect")).containsExactly("true");

        LocalProcess tuned = rendered.withFlags(
                java.util.Map.of("leader-elect", "false", "node-monitor-grace-period", "40s"), "for tests");

        assertThat(flag(tuned, "leader-elect")).containsExactly("false");
        assertThat(flag(tuned, "node-monitor-grace-period")).containsExactly("40s");
        assertThat(flag(tuned, "secure-port")).isEqualTo(flag(rendered, "secure-port"));
        assertThat(tuned.args()).hasSize(rendered.args().size() + 1);
        assertThat(tuned.added())
                .extracting(LocalProcessPlan.FlagNote::flag)
                .contains("leader-elect", "node-monitor-grace-period");
        assertThat(tuned.mounts()).isEqualTo(rendered.mounts());
    }
}
