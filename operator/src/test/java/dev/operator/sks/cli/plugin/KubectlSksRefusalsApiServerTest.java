package dev.operator.sks.cli.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl sks} says when it cannot do what was asked, against the real API server with no operator: the
 * operator's answers (a refused upgrade) are written by the test where a case needs one, as the operator writes them.
 */
@SharedApiServer
class KubectlSksRefusalsApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static Path kubeconfigFile;
    String namespace;

    @BeforeAll
    static void connect() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        kubeconfigFile = Files.createTempFile("kubectl-sks", ".kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
    }

    @AfterAll
    static void close() throws Exception {
        client.close();
        Files.deleteIfExists(kubeconfigFile);
    }

    @BeforeEach
    void namespaceWithACluster() {
        namespace = ApiServerSupport.newNamespace(client, "sks-cli-no-op");
        HasMetadata cluster = client.getKubernetesSerialization().unmarshal("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: demo}
            spec: {zone: ch-gva-2, version: "1.33"}
            """);
        client.resource(cluster).inNamespace(namespace).create();
    }

    @Test
    void aKubeconfigThatNeverComesTimesOutSayingWhatIsPending() {
        PluginRun run = sks("kubeconfig", "demo", "--user", "bob", "--timeout", "1s", "-o", "bob.kubeconfig");
        assertThat(run.exitCode()).isEqualTo(PluginException.TIMED_OUT);
        assertThat(run.err())
                .contains("error: timed out after 1s: KubeconfigRequest demo-bob-")
                .contains("is not Ready (NotObserved: the operator has not reconciled this request yet)")
                .contains("run this again to keep waiting (it reuses the request)");
        assertThat(Path.of("bob.kubeconfig")).doesNotExist();
        // Run again: the pending request is reused, not duplicated.
        PluginRun again = sks("kubeconfig", "demo", "--user", "bob", "--timeout", "0s", "-o", "bob.kubeconfig");
        assertThat(again.out()).contains("Reusing KubeconfigRequest demo-bob-");
        assertThat(client.resources(KubeconfigRequest.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .hasSize(1);
    }

    @Test
    void kubeconfigFlagsAreCheckedBeforeAnythingIsCreated() {
        PluginRun shortTtl = sks("kubeconfig", "demo", "--user", "bob", "--ttl", "5m");
        assertThat(shortTtl.exitCode()).isEqualTo(1);
        assertThat(shortTtl.err()).contains("--ttl 5m is out of range: a kubeconfig lives from 10m to 30d");
        PluginRun notADuration = sks("kubeconfig", "demo", "--user", "bob", "--ttl", "soon");
        assertThat(notADuration.err()).contains("--ttl soon is not a duration: write it as 24h, 30m, 1h30m or 7d");
        PluginRun noUser = sks("kubeconfig", "demo");
        assertThat(noUser.exitCode()).isEqualTo(2);
        assertThat(noUser.err()).contains("Missing required option: '--user=USER'");
        PluginRun noCluster = sks("kubeconfig", "nosuch", "--user", "bob");
        assertThat(noCluster.err()).contains("SKSCluster \"nosuch\" not found");
        assertThat(client.resources(KubeconfigRequest.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void anUpgradeTheOperatorRefusesIsToldAndPutBack() {
        running("1.33.4", "1.34.0", "1.34.1");
        // The operator's verdict on the new generation, as it words a kubelet skew refusal.
        CompletableFuture<Void> operator = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cluster().getMetadata().getGeneration() > 1);
            SKSCluster seen = cluster();
            Conditions.set(
                    seen.getStatus().conditions,
                    Conditions.ACCEPTED,
                    false,
                    "KubeletSkewTooLarge",
                    "spec.version 1.34 would be more than 3 minors ahead of the oldest kubelet (1.30 among the "
                            + "cluster's Nodes, read again every few minutes); replace those nodes with current ones "
                            + "first",
                    seen.getMetadata().getGeneration(),
                    Clock.systemUTC());
            client.resource(seen).updateStatus();
        });
        PluginRun run = sks("upgrade", "demo", "--to", "1.34");
        operator.join();
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("Set spec.version of demo from 1.33 to 1.34");
        assertThat(run.err())
                .contains("the operator refused spec.version 1.34: KubeletSkewTooLarge: spec.version 1.34 would be "
                        + "more than 3 minors ahead of the oldest kubelet")
                .contains("spec.version is back to 1.33; nothing changed");
        assertThat(cluster().getSpec().version).isEqualTo("1.33");
    }

    @Test
    void anUpgradeNobodyAnswersTimesOutAndADowngradeOrAClusterNotRunningIsRefused() {
        PluginRun notRunning = sks("upgrade", "demo", "--to", "1.34");
        assertThat(notRunning.exitCode()).isEqualTo(1);
        assertThat(notRunning.err()).contains("cluster demo runs no version yet");

        running("1.33.4", "1.34.0");
        PluginRun down = sks("upgrade", "demo", "--to", "1.32");
        assertThat(down.err()).contains("DowngradeRefused: spec.version 1.32 is older than the running 1.33.4");
        PluginRun same = sks("upgrade", "demo", "--to", "1.33");
        assertThat(same.err()).contains("cluster demo already runs 1.33.4, the newest patch of 1.33");
        PluginRun garbage = sks("upgrade", "demo", "--to", "latest");
        assertThat(garbage.err()).contains("--to latest is not a Kubernetes version");
        assertThat(cluster().getSpec().version).isEqualTo("1.33");

        PluginRun unanswered = sks("upgrade", "demo", "--to", "1.34.0", "--timeout", "1s");
        assertThat(unanswered.exitCode()).isEqualTo(PluginException.TIMED_OUT);
        assertThat(unanswered.err())
                .contains("the operator has not yet looked at generation 2 of demo (is it running and watching "
                        + "namespace " + namespace + "?)");
        assertThat(cluster().getSpec().version).isEqualTo("1.34.0");
    }

    @Test
    void connectionOptionsMayComeBeforeTheCommandToo() {
        PluginRun before =
                PluginRun.run(Map.of(), "-n", namespace, "--kubeconfig", kubeconfigFile.toString(), "upgrade", "demo");
        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.out()).contains("Cluster demo runs Kubernetes nothing yet (spec.version 1.33");
        PluginRun mixed =
                PluginRun.run(Map.of(), "--kubeconfig", kubeconfigFile.toString(), "status", "demo", "-n", namespace);
        assertThat(mixed.exitCode()).as(mixed.err()).isZero();
        assertThat(mixed.out()).startsWith("Cluster demo (namespace " + namespace + ")");
    }

    @Test
    void anUnknownRotationOrCommandIsAUsageError() {
        PluginRun rotate = sks("rotate", "demo", "etcd");
        assertThat(rotate.exitCode()).isEqualTo(1);
        assertThat(rotate.err())
                .contains("cannot rotate \"etcd\": choose one of clients-ca, ccm-credentials, cluster-ca, etcd-ca, "
                        + "front-proxy-ca, service-account-key, ca");
        PluginRun unknown = PluginRun.run(Map.of(), "frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument at index 0: 'frobnicate'");
        PluginRun help = PluginRun.run(Map.of(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out())
                .contains("kubeconfig", "upgrade", "rotate", "scale", "evict", "status")
                .doesNotContain("Exception");
    }

    @Test
    void anUnreachableApiServerSaysSo() throws Exception {
        Path elsewhere = Files.createTempFile("unreachable", ".kubeconfig");
        try {
            Files.writeString(elsewhere, """
                apiVersion: v1
                kind: Config
                clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: me, user: {token: abc}}]
                contexts: [{name: gone, context: {cluster: gone, user: me, namespace: x}}]
                current-context: gone
                """);
            PluginRun run = PluginRun.run(Map.of(), "status", "demo", "--kubeconfig", elsewhere.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err())
                    .startsWith("error: cannot reach the API server")
                    .contains("kubeconfig's context");
        } finally {
            Files.deleteIfExists(elsewhere);
        }
    }

    // --- helpers ---

    /** The status the operator writes for a running cluster. */
    private void running(String version, String... upgrades) {
        SKSCluster cluster = cluster();
        cluster.setStatus(new SKSClusterStatus());
        cluster.getStatus().version = version;
        cluster.getStatus().state = ClusterState.Running;
        cluster.getStatus().availableUpgrades = List.of(upgrades);
        Conditions.set(
                cluster.getStatus().conditions,
                Conditions.ACCEPTED,
                true,
                "Valid",
                "the spec can be acted on",
                cluster.getMetadata().getGeneration(),
                Clock.systemUTC());
        client.resource(cluster).updateStatus();
    }

    private SKSCluster cluster() {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("demo")
                .get();
    }

    private PluginRun sks(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-n", namespace, "--kubeconfig", kubeconfigFile.toString()));
        return PluginRun.run(Map.of(), all.toArray(String[]::new));
    }
}
