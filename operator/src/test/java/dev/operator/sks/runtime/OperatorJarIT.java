package dev.operator.sks.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a newcomer runs it: the packaged jar against a real API server, configured by
 * environment, becomes ready, serves JVM and reconciliation metrics, and stops cleanly on SIGTERM.
 * Prints its start-up time to ready and its heap after start.
 */
@EnableKubeAPIServer
class OperatorJarIT {
    @KubeConfig
    static String kubeconfig;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theJarBecomesReadyServesMetricsAndStopsOnSigterm() throws Exception {
        Path jar = RepoPaths.root().resolve("operator/target/sks-operator.jar");
        assertThat(jar).as("run mvn package first").exists();
        Path kubeconfigFile = Files.createTempFile("jar-it", ".kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        Path log = Files.createTempFile("jar-it", ".log");
        int port = freePort();
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(client);

            ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("KUBECONFIG", kubeconfigFile.toString());
            builder.environment().put("SKS_HTTP_PORT", Integer.toString(port));
            long started = System.nanoTime();
            Process process = builder.start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> status("http://127.0.0.1:" + port + "/readyz") == 200);
                long readyMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(status("http://127.0.0.1:" + port + "/healthz")).isEqualTo(200);

                String namespace = ApiServerSupport.newNamespace(client, "jar");
                HasMetadata cluster = client.getKubernetesSerialization().unmarshal("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: metered}
            spec: {zone: ch-gva-2, version: "1.33"}
            """);
                client.resource(cluster).inNamespace(namespace).create();
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                body("http://127.0.0.1:" + port + "/metrics").contains("operator_sdk_reconciliations"));
                String metrics = body("http://127.0.0.1:" + port + "/metrics");
                assertThat(metrics)
                        .contains("jvm_memory_used_bytes")
                        .contains("jvm_gc_")
                        .contains("process_uptime_seconds");
                // JOSDK's own series stay without per-resource tags; the operator's per-cluster series are labelled by
                // namespace and name, and bounded by the clusters there are.
                assertThat(metrics.lines().filter(line -> line.startsWith("operator_sdk_")))
                        .as("JOSDK's series carry no per-resource tags")
                        .noneMatch(line -> line.contains("name=\"metered\""));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> body("http://127.0.0.1:" + port + "/metrics")
                                .lines()
                                .anyMatch(line ->
                                        line.startsWith("sks_cluster_ready{") && line.contains("name=\"metered\"")));

                System.out.printf(
                        "operator jar: ready %d ms after launch; heap used after start %.1f MiB%n",
                        readyMillis, heapUsedBytes(metrics) / 1024.0 / 1024.0);
            } finally {
                process.destroy();
                boolean exited = process.waitFor(20, TimeUnit.SECONDS);
                if (!exited) {
                    process.destroyForcibly();
                }
                assertThat(exited)
                        .as("the operator stops within 20 s of SIGTERM")
                        .isTrue();
            }
            assertThat(Files.readString(log)).contains("sks-operator started").contains("stopping");
        } finally {
            Files.deleteIfExists(kubeconfigFile);
            Files.deleteIfExists(log);
        }
    }

    private int status(String url) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static double heapUsedBytes(String metrics) {
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)$")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
