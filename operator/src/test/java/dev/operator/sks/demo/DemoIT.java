package dev.operator.sks.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command on this machine: the packaged jar's demo starts its own API server, brings the starter
 * cluster to Running, and writes a kubeconfig that kubectl can use from another terminal. Where the binaries are laid
 * out (../shared/envtest/install.sh), the demo cluster's tenant runs too: its admin kubeconfig lists the nodepool's
 * Ready Nodes and the addons, with pods scheduled onto the Nodes.
 */
class DemoIT {

    @Test
    void theDemoBringsTheStarterClusterUpAndKubectlSeesIt() throws Exception {
        Path jar = RepoPaths.root().resolve("operator/target/sks-operator.jar");
        Path work = Files.createTempDirectory("demo-it");
        Path output = work.resolve("demo.out");
        Path kubeconfig = work.resolve("sks-demo.kubeconfig");
        String tenantUrl = null;
        Process demo = new ProcessBuilder(
                        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                        "-jar",
                        jar.toString(),
                        "demo",
                        "--kubeconfig-out=" + kubeconfig)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.readString(output)
                            .matches("(?s).*SKSCluster/demo\\s+Running version=1\\.33\\.\\d+.*"));
            Process kubectl = new ProcessBuilder(
                            "kubectl", "--kubeconfig", kubeconfig.toString(), "get", "skc,np,kcr", "-n", "demo")
                    .redirectErrorStream(true)
                    .start();
            String table = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(table).contains("skscluster.sks.operator.dev/demo", "Running", "demo-workers", "demo-admin");
            assertThat(Files.readString(output)).contains("What this demo cannot do");
            if (LocalControlPlane.binaries().isPresent()) {
                tenantUrl = theTenantRunsWithReadyNodesAndTheAddons(output, work.resolve(Demo.ADMIN_KUBECONFIG));
            }
        } finally {
            demo.destroy();
            boolean stopped = demo.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                demo.destroyForcibly();
            }
            assertThat(stopped).as("the demo stops on SIGTERM").isTrue();
            if (tenantUrl != null) {
                assertThat(answers(tenantUrl))
                        .as("the tenant's processes stop with the demo")
                        .isFalse();
            }
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** @return the tenant API server's URL */
    private static String theTenantRunsWithReadyNodesAndTheAddons(Path output, Path adminKubeconfig) throws Exception {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> Files.readString(output).contains("FIRST READY NODE"));
        String text = Files.readString(output);
        // The figure, for the build log.
        text.lines().filter(line -> line.contains("FIRST READY NODE")).forEach(System.out::println);
        assertThat(text)
                .contains("VERSION NOTE", "--egress-selector-config-file (konnectivity-server is not run)")
                .contains("tenant Node/");
        Config config = Config.fromKubeconfig(Files.readString(adminKubeconfig));
        String url = config.getMasterUrl();
        assertThat(url).startsWith("https://127.0.0.1:");
        try (KubernetesClient tenant =
                new KubernetesClientBuilder().withConfig(config).build()) {
            // The nodepool's three simulated Nodes, Ready, and the addons: kube-proxy and konnectivity-agent put
            // on every Node by the tenant's controller-manager, coredns's pods placed by its scheduler.
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        assertThat(tenant.nodes().list().getItems())
                                .hasSize(3)
                                .allSatisfy(node ->
                                        assertThat(TenantView.ready(node)).isEqualTo("True"));
                        for (String daemonSet : List.of("kube-proxy", "konnectivity-agent")) {
                            DaemonSet ds = tenant.apps()
                                    .daemonSets()
                                    .inNamespace("kube-system")
                                    .withName(daemonSet)
                                    .get();
                            assertThat(ds).as(daemonSet).isNotNull();
                            assertThat(ds.getStatus().getDesiredNumberScheduled())
                                    .as(daemonSet)
                                    .isEqualTo(3);
                        }
                        assertThat(tenant.apps()
                                        .deployments()
                                        .inNamespace("kube-system")
                                        .withName("coredns")
                                        .get())
                                .isNotNull();
                        assertThat(tenant.pods()
                                        .inNamespace("kube-system")
                                        .withLabel("k8s-app", "kube-dns")
                                        .list()
                                        .getItems())
                                .isNotEmpty()
                                .allSatisfy(pod ->
                                        assertThat(pod.getSpec().getNodeName()).isNotBlank());
                    });
        }
        Process kubectl = new ProcessBuilder("kubectl", "--kubeconfig", adminKubeconfig.toString(), "get", "nodes")
                .redirectErrorStream(true)
                .start();
        String nodes = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(nodes).contains("Ready");
        return url;
    }

    private static boolean answers(String url) {
        try (java.net.Socket socket = new java.net.Socket()) {
            URI uri = URI.create(url);
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }
}
