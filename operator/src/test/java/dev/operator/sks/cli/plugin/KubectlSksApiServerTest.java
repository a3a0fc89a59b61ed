package dev.operator.sks.cli.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl sks} driven as a user drives it, against the real API server with the operator running: a kubeconfig
 * issued in one command, upgrades listed and applied, a clients-CA rotation, scale, evict and status.
 */
@SharedApiServer
class KubectlSksApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static Path kubeconfigFile;
    static Path workDir;
    static String namespace;

    @BeforeAll
    static void startOperatorAndCluster() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
        workDir = Files.createTempDirectory("kubectl-sks");
        kubeconfigFile = workDir.resolve("admin.kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        namespace = ApiServerSupport.newNamespace(client, "sks-cli");
        apply("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: demo}
            spec: {zone: ch-gva-2, version: "1.33", addons: [metrics-server], controlPlane: {exposure: ClusterIP}}
            """);
        apply("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: up}
            spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
            """);
        apply("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: Nodepool
            metadata: {name: workers}
            spec: {cluster: demo, size: 2, instanceType: standard.medium}
            """);
        apply("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: Nodepool
            metadata: {name: spare}
            spec: {cluster: demo, size: 1, instanceType: standard.medium}
            """);
        try (ClusterStandIn standIn = ClusterStandIn.watch(client, namespace)) {
            for (String name : List.of("demo", "up")) {
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    SKSCluster c = client.resources(SKSCluster.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get();
                    return c.getStatus() != null && Conditions.isTrue(c.getStatus().conditions, Conditions.READY);
                });
            }
            // A pool renders its user data once its cluster's PKI exists, a moment after the cluster: status prints
            // its machines only then.
            for (String name : List.of("workers", "spare")) {
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    Nodepool np = nodepool(name);
                    return np.getStatus() != null && np.getStatus().state == PoolState.Running;
                });
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        operator.close();
        client.close();
        try (var files = Files.walk(workDir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void kubeconfigIsIssuedIntoAPrivateFileAndAnEqualRequestIsReused() throws Exception {
        Path file = workDir.resolve("alice.kubeconfig");
        PluginRun first = sks(
                "kubeconfig",
                "demo",
                "--user",
                "alice",
                "--group",
                "developers",
                "--ttl",
                "24h",
                "-o",
                file.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("Created KubeconfigRequest demo-alice-")
                .contains("Wrote the kubeconfig of alice for cluster demo to " + file)
                .contains("(in 23h59m")
                .doesNotContain("BEGIN");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String written = Files.readString(file);
        assertThat(io.fabric8.kubernetes.client.Config.fromKubeconfig(written)
                        .getCurrentContext()
                        .getName())
                .isEqualTo("alice@demo");

        List<KubeconfigRequest> requests = requestsFor("alice");
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.getSpec().ttlSeconds).isEqualTo(86_400L);
            assertThat(r.getSpec().groups).containsExactly("developers");
            assertThat(SecretData.decode(
                            client.secrets()
                                    .inNamespace(namespace)
                                    .withName(r.getStatus().secretName)
                                    .get(),
                            Names.KUBECONFIG_REQUEST_KEY))
                    .isEqualTo(written);
        });

        // Again, to stdout: the same request, the kubeconfig alone on stdout, the rest on stderr.
        PluginRun again = sks("kubeconfig", "demo", "-u", "alice", "-g", "developers", "--ttl", "24h", "-o", "-");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo(written);
        assertThat(again.err())
                .contains("Reusing KubeconfigRequest "
                        + requests.get(0).getMetadata().getName());
        assertThat(requestsFor("alice")).hasSize(1);
    }

    @Test
    void upgradeListsWhatTheOperatorOffersRefusesASkippedMinorAndAppliesTheNext() {
        PluginRun list = sks("upgrade", "up");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out())
                .contains("Cluster up runs Kubernetes 1.33.")
                .contains("Available upgrades:")
                .contains("1.34")
                .contains("kubectl sks upgrade up --to 1.34");

        PluginRun skip = sks("upgrade", "up", "--to", "1.35");
        assertThat(skip.exitCode()).isEqualTo(1);
        assertThat(skip.err())
                .contains("not upgrading: UpgradeSkipsMinor")
                .contains("upgrade one minor at a time, first to 1.34");
        assertThat(cluster("up").getSpec().version).isEqualTo("1.33");

        PluginRun next = sks("upgrade", "up", "--to", "1.34");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.out())
                .contains("Set spec.version of up from 1.33 to 1.34")
                .contains("Accepted: cluster up upgrades from 1.33.");
        assertThat(cluster("up").getSpec().version).isEqualTo("1.34");
    }

    @Test
    void rotateSetsTheRotationAnnotationsAndRefusesWhatTheOperatorCannotRotate() {
        PluginRun ca = sks("rotate", "up", "ca");
        assertThat(ca.exitCode()).isEqualTo(1);
        assertThat(ca.err()).contains("this operator version does not support rotating ca");
        assertThat(cluster("up").getMetadata().getAnnotations()).isNullOrEmpty();

        PluginRun ccm = sks("rotate", "up", "ccm-credentials");
        assertThat(ccm.exitCode()).as(ccm.err()).isZero();
        assertThat(ccm.out()).contains("Asked to rotate ccm-credentials of cluster up");
        assertThat(cluster("up").getMetadata().getAnnotations()).containsKey(Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION);

        PluginRun clients = sks("rotate", "up", "clients-ca");
        assertThat(clients.exitCode()).as(clients.err()).isZero();
        assertThat(clients.out()).contains("Asked to rotate clients-ca of cluster up");
        assertThat(cluster("up").getMetadata().getAnnotations())
                .containsOnlyKeys(Labels.ROTATE_CLIENTS_CA_ANNOTATION, Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION)
                .extractingByKey(Labels.ROTATE_CLIENTS_CA_ANNOTATION)
                .satisfies(new org.assertj.core.api.Condition<>(v -> v.matches("\\d{8}T\\d{6}Z"), "a UTC time stamp"));
        // The operator acts on it: the clients CA Secret records the rotation it was made for.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.secrets()
                                .inNamespace(namespace)
                                .withName(Names.clientsCa("up"))
                                .get()
                                .getMetadata()
                                .getAnnotations()
                                .get(Labels.CLIENTS_CA_ROTATION_ANNOTATION)
                        != null);
    }

    @Test
    void scaleGoesThroughTheScaleSubresource() {
        PluginRun scale = sks("scale", "workers", "3");
        assertThat(scale.exitCode()).as(scale.err()).isZero();
        assertThat(scale.out()).contains("Nodepool workers: size 2 -> 3");
        assertThat(nodepool("workers").getSpec().size).isEqualTo(3);

        PluginRun negative = sks("scale", "workers", "-1");
        assertThat(negative.exitCode()).isEqualTo(1);
        assertThat(negative.err()).contains("out of range");
    }

    @Test
    void evictChecksTheNamesThenAsksTheOperatorToReplaceTheInstance() {
        String instance = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            InstancePool pool = client.resources(InstancePool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepool("spare").getStatus().instancePool)
                                    .get();
                            return pool == null
                                            || pool.getStatus() == null
                                            || pool.getStatus().instances.isEmpty()
                                    ? null
                                    : pool.getStatus().instances.get(0).name;
                        },
                        name -> name != null);

        PluginRun typo = sks("evict", "spare", "no-such-instance");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err())
                .contains("nodepool spare has no instance no-such-instance; its instances are: " + instance);

        PluginRun evict = sks("evict", "spare", instance);
        assertThat(evict.exitCode()).as(evict.err()).isZero();
        assertThat(evict.out()).contains("Asked to evict " + instance + " from nodepool spare");
        // The operator replaces it and clears the annotation.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Nodepool np = nodepool("spare");
            InstancePool pool = client.resources(InstancePool.class)
                    .inNamespace(namespace)
                    .withName(np.getStatus().instancePool)
                    .get();
            return (np.getMetadata().getAnnotations() == null
                            || !np.getMetadata().getAnnotations().containsKey(Labels.EVICT_ANNOTATION))
                    && pool.getStatus().instances.stream().noneMatch(i -> instance.equals(i.name));
        });
    }

    @Test
    void statusSummarizesTheClusterItsNodepoolsAndKubeconfigs() {
        PluginRun status = sks("status", "demo");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out())
                .contains("Cluster demo (namespace " + namespace + ")")
                .contains("State:     Running")
                .contains("Addons:    metrics-server")
                .contains("Ready              True")
                .contains("Nodepools:")
                .contains("workers")
                .contains("spare")
                .contains("Kubeconfigs:");
        // What kubectl get np -o wide shows as VERSION: the version new machines join with, the cluster's.
        assertThat(nodepool("workers").getStatus().version)
                .isEqualTo(cluster("demo").getStatus().version);
        assertThat(status.out()).contains("Running   " + cluster("demo").getStatus().version);
    }

    @Test
    void aMissingClusterListsWhatExistsAndWhereTheNameLives() {
        PluginRun typo = sks("status", "dmeo");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err())
                .contains("SKSCluster \"dmeo\" not found in namespace \"" + namespace + "\"; it has: demo, up")
                .contains("Pass -n NAMESPACE");

        String other = ApiServerSupport.newNamespace(client, "sks-cli-other");
        PluginRun elsewhere = run(Map.of(), "status", "demo", "-n", other, "--kubeconfig", kubeconfigFile.toString());
        assertThat(elsewhere.exitCode()).isEqualTo(1);
        assertThat(elsewhere.err())
                .contains("not found in namespace \"" + other + "\"; it has none")
                .contains("\"demo\" exists in -n ")
                .contains("-n " + namespace);
    }

    @Test
    void kubeconfigAndNamespaceComeFromKubeconfigAndItsContextLikeKubectl() throws Exception {
        // A kubeconfig whose current context names the namespace, found through KUBECONFIG: no flag needed.
        io.fabric8.kubernetes.api.model.Config config = KubeConfigUtils.parseConfigFromString(kubeconfig);
        for (NamedContext context : config.getContexts()) {
            context.getContext().setNamespace(namespace);
        }
        Path withNamespace = workDir.resolve("namespaced.kubeconfig");
        Files.writeString(withNamespace, client.getKubernetesSerialization().asYaml(config));
        PluginRun status = run(Map.of("KUBECONFIG", withNamespace.toString()), "status", "demo");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Cluster demo (namespace " + namespace + ")");

        PluginRun badContext =
                run(Map.of("KUBECONFIG", withNamespace.toString()), "status", "demo", "--context", "nope");
        assertThat(badContext.exitCode()).isEqualTo(1);
        assertThat(badContext.err()).startsWith("error: context \"nope\" is not in the kubeconfig");
    }

    // --- helpers ---

    /** {@code kubectl sks ARGS -n NAMESPACE --kubeconfig FILE}. */
    private static PluginRun sks(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("-n", namespace, "--kubeconfig", kubeconfigFile.toString()));
        return run(Map.of(), all.toArray(String[]::new));
    }

    private static PluginRun run(Map<String, String> env, String... args) {
        return PluginRun.run(env, args);
    }

    private static List<KubeconfigRequest> requestsFor(String user) {
        return client.resources(KubeconfigRequest.class).inNamespace(namespace).list().getItems().stream()
                .filter(r -> user.equals(r.getSpec().user))
                .toList();
    }

    private static SKSCluster cluster(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static Nodepool nodepool(String name) {
        return client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
