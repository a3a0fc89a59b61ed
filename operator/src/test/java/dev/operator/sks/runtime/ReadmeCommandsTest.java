package dev.operator.sks.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A newcomer copies the README's first two commands. The run command is what DemoIT starts (the packaged jar's
 * demo) and the test command is what .ci/run runs on a fresh clone; this keeps them in step.
 */
class ReadmeCommandsTest {

    @Test
    void theReadmeStartsWithTheRunAndTestCommandsThatCiAndTheJarTestUse() throws IOException {
        String readme = Files.readString(RepoPaths.root().resolve("README.md"));
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```sh\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        while (m.find() && blocks.size() < 2) {
            blocks.add(m.group(1).trim());
        }
        assertThat(blocks)
                .containsExactly(
                        "mvn -B -DskipTests package && java -jar operator/target/sks-operator.jar demo",
                        "mvn -B verify");
        String ci = Files.readString(RepoPaths.root().resolve(".ci/run"));
        assertThat(ci).contains("../shared/envtest/install.sh");
        assertThat(ci.strip()).endsWith(blocks.get(1));
    }
}
