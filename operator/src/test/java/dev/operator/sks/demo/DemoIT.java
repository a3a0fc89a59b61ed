package dev.operator.sks.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.testing.RepoPaths;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command on this machine: the packaged jar's demo starts its own API server, brings the starter
 * cluster to Running, and writes a kubeconfig that kubectl can use from another terminal.
 */
class DemoIT {

    @Test
    void theDemoBringsTheStarterClusterUpAndKubectlSeesIt() throws Exception {
        Path jar = RepoPaths.root().resolve("operator/target/sks-operator.jar");
        Path work = Files.createTempDirectory("demo-it");
        Path output = work.resolve("demo.out");
        Path kubeconfig = work.resolve("sks-demo.kubeconfig");
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
        } finally {
            demo.destroy();
            boolean stopped = demo.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                demo.destroyForcibly();
            }
            assertThat(stopped).as("the demo stops on SIGTERM").isTrue();
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
