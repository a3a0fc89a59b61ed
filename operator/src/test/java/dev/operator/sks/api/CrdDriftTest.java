package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * crds/ and the chart's crds/ are committed copies of what the CRD generator makes from the API classes; this
 * fails when they drift. To refresh them: mvn -B -DskipTests process-classes, then copy
 * operator/target/classes/META-INF/fabric8/*.yml into crds/ and helm/sks-operator/crds/ (the build has put their
 * printer columns in declared order by then: {@link PrinterColumnOrder}).
 */
class CrdDriftTest {

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        List<Path> generated = yamlFiles(RepoPaths.generatedCrds());
        assertThat(generated).as("generated CRDs").hasSize(4);
        for (Path committedDir : List.of(RepoPaths.crds(), RepoPaths.helmChart().resolve("crds"))) {
            assertThat(yamlFiles(committedDir).stream().map(p -> p.getFileName().toString()))
                    .as("CRD files in " + committedDir)
                    .containsExactlyInAnyOrderElementsOf(generated.stream()
                            .map(p -> p.getFileName().toString())
                            .toList());
            for (Path file : generated) {
                assertThat(Files.readString(committedDir.resolve(file.getFileName())))
                        .as(committedDir.resolve(file.getFileName()) + " is stale: copy " + file + " over it")
                        .isEqualTo(Files.readString(file));
            }
        }
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        }
    }
}
