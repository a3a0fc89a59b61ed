package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.pki.BouncyCastlePki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rendered user-data is a cloud-config that cloud-init itself accepts: {@code cloud-init schema --config-file}
 * (cloud-init 22.4 and later) checks every module's keys against its JSON schema, and exits non-zero on an error.
 * Skipped, saying why, where cloud-init is not installed (CI installs it).
 */
class UserDataSchemaTest {
    private static final Path CLOUD_INIT = Path.of("/usr/bin/cloud-init");
    private static String caPem;

    @TempDir
    Path dir;

    @BeforeAll
    static void clusterCa() {
        caPem = new BouncyCastlePki(Clock.systemUTC()).createCa("kubernetes").certificatePem();
    }

    @ParameterizedTest
    @CsvSource({"1.33.4, false", "1.33.4, true", "1.30.14, false"})
    void cloudInitAcceptsTheRenderedUserData(String version, boolean bakedIn) throws Exception {
        String userData = UserDataRenderer.render(new JoinParameters(
                "demo",
                "203.0.113.10:6443",
                caPem,
                new BootstrapToken("abcdef", "0123456789abcdef"),
                KubernetesVersion.of(version),
                "5d1c6a8e-1f0b-4c53-9a4e-0f6f1c2d3e4f",
                Map.of("env", "demo", "on", "yes"),
                List.of(new NodepoolTaint("dedicated", "gpu", TaintEffect.NO_SCHEDULE)),
                JoinMaterial.clusterDns(new SKSClusterSpec()),
                "cluster.local",
                bakedIn));

        Schema result = schema(userData);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Valid cloud-config");
    }

    /** The check above is worth something only if cloud-init does refuse a broken document. */
    @Test
    void cloudInitRefusesADocumentOfTheWrongShape() throws Exception {
        String broken = "#cloud-config\nwrite_files:\n  - content: \"no path\"\n    permissions: 420\nruncmd: 5\n";

        Schema result = schema(broken);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("runcmd").contains("permissions");
    }

    private record Schema(int exitCode, String output) {}

    private Schema schema(String document) throws IOException, InterruptedException {
        assumeTrue(
                Files.isExecutable(CLOUD_INIT),
                "cloud-init is not installed (apt-get install cloud-init): the user-data schema is not checked");
        Path file = dir.resolve("user-data.yaml");
        Files.writeString(file, document);
        Process process = new ProcessBuilder(CLOUD_INIT.toString(), "schema", "--config-file", file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("cloud-init schema did not finish");
        }
        return new Schema(process.exitValue(), output);
    }
}
