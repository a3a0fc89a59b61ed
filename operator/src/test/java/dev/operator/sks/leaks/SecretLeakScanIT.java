package dev.operator.sks.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.operator.sks.leaks.LeakScanner.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs after the unit and API-server tests (failsafe, in {@code verify}) over everything they left: the log of every
 * logger in the test JVM ({@code logback-test.xml} writes it to {@link LeakScanDump#DIRECTORY}), and every Event and
 * status the operators wrote to the shared API server ({@link LeakScanDump}). No key, kubeconfig, certificate or
 * bootstrap token may appear in any of it.
 */
class SecretLeakScanIT {

    @Test
    void nothingTheSuiteLoggedOrWroteHoldsSecretMaterial() throws IOException {
        assumeTrue(
                surefireRan(),
                "the unit and API-server tests did not run in this build (e.g. -Dtest=...): nothing to scan");
        List<Path> files;
        try (Stream<Path> listed = Files.list(LeakScanDump.DIRECTORY)) {
            files = listed.filter(Files::isRegularFile).sorted().toList();
        }
        // Once the tests ran, both kinds of record must be there: a scan of nothing would pass for the wrong reason.
        assertThat(files)
                .anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".log"))
                .anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith("-events.jsonl"))
                .anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith("-statuses.jsonl"));

        List<Finding> findings = new ArrayList<>();
        long lines = 0;
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            lines += text.lines().count();
            findings.addAll(LeakScanner.scan(file.getFileName().toString(), text));
        }
        System.out.printf("leak scan: %d files, %d lines, %d findings%n", files.size(), lines, findings.size());
        assertThat(lines).as("lines scanned").isPositive();
        assertThat(findings).as("secret material outside Secrets").isEmpty();
    }

    /** Whether surefire ran tests in this build: it leaves a report per test class. */
    private static boolean surefireRan() throws IOException {
        Path reports = Path.of("target", "surefire-reports");
        if (!Files.isDirectory(reports)) {
            return false;
        }
        try (Stream<Path> listed = Files.list(reports)) {
            return listed.anyMatch(p -> p.getFileName().toString().startsWith("TEST-"));
        }
    }
}
