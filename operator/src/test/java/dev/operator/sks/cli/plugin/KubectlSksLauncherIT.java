package dev.operator.sks.cli.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.RepoPaths;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The release's plugin as a user installs it: {@code target/kubectl-sks} (beside the packaged jar) linked into a
 * directory on the PATH, found and run by kubectl itself for {@code kubectl sks ...}. Prints how long a command takes.
 */
@SharedApiServer
class KubectlSksLauncherIT {
    @KubeConfig
    static String kubeconfig;

    record Result(int exitCode, String out, String err, long millis) {}

    @Test
    void kubectlFindsThePluginOnThePathAndRunsItFromTheJar() throws Exception {
        Path target = RepoPaths.root().resolve("operator/target");
        assertThat(target.resolve("sks-operator.jar"))
                .as("run mvn package first")
                .exists();
        assertThat(target.resolve("kubectl-sks")).isExecutable();
        Path bin = Files.createTempDirectory("bin");
        Path kubeconfigFile = Files.createTempFile("launcher", ".kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        // A link, as a package manager installs it: the script must find the jar beside the file it links to.
        Files.createSymbolicLink(bin.resolve("kubectl-sks"), target.resolve("kubectl-sks"));
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            String namespace = ApiServerSupport.newNamespace(client, "launcher");
            HasMetadata cluster = client.getKubernetesSerialization().unmarshal("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: demo}
                spec: {zone: ch-gva-2, version: "1.33"}
                """);
            client.resource(cluster).inNamespace(namespace).create();

            Result plugins = kubectl(bin, kubeconfigFile, "plugin", "list");
            assertThat(plugins.out()).contains(bin.resolve("kubectl-sks").toString());

            Result status = kubectl(bin, kubeconfigFile, "sks", "status", "demo", "-n", namespace);
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out())
                    .startsWith("Cluster demo (namespace " + namespace + ")")
                    .contains("Conditions: none reported yet (is the operator running?)")
                    .as("no log lines on stdout")
                    .doesNotContain(" INFO ")
                    .doesNotContain(" WARN ");

            Result missing = kubectl(bin, kubeconfigFile, "sks", "status", "nosuch", "-n", namespace);
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).startsWith("error: SKSCluster \"nosuch\" not found in namespace");

            Result version = kubectl(bin, kubeconfigFile, "sks", "--version");
            assertThat(version.exitCode()).isZero();
            assertThat(version.out()).startsWith("kubectl sks ");
            System.out.printf("kubectl sks status: %d ms from kubectl's start to its exit%n", status.millis());
        } finally {
            Files.deleteIfExists(bin.resolve("kubectl-sks"));
            Files.deleteIfExists(bin);
            Files.deleteIfExists(kubeconfigFile);
        }
    }

    private static Result kubectl(Path bin, Path kubeconfigFile, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("kubectl"), List.of(args).stream())
                        .toList());
        builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        builder.environment().put("KUBECONFIG", kubeconfigFile.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process process = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Result result = new Result(process.exitValue(), out, err.get(), (System.nanoTime() - started) / 1_000_000);
        System.out.println("$ kubectl " + String.join(" ", args) + "\n" + result.out() + result.err() + "(exit "
                + result.exitCode() + ")\n");
        return result;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
