package dev.operator.sks.runtime;

import static dev.operator.sks.testing.OperatorProcesses.javaBinary;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The common pool's size is read once per JVM, so each case runs a JVM of its own, told it has two CPUs, and asks it
 * where {@link CompletableFuture} runs what has no executor.
 */
class CommonPoolTest {
    @Test
    void twoCpusStartAThreadPerTaskUntold() throws Exception {
        assertThat(probe(List.of(), "none")).isEqualTo("ThreadPerTaskExecutor false");
    }

    @Test
    void loadingTheOperatorsMainSharesThePool() throws Exception {
        assertThat(probe(List.of(), "main")).isEqualTo("ForkJoinPool true");
    }

    @Test
    void aParallelismSetByTheUserIsKept() throws Exception {
        assertThat(probe(List.of("-D" + CommonPool.PARALLELISM + "=1"), "main"))
                .isEqualTo("ThreadPerTaskExecutor false");
        assertThat(probe(List.of("-D" + CommonPool.PARALLELISM + "=3"), "main")).isEqualTo("ForkJoinPool true");
    }

    private static String probe(List<String> options, String mode) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:ActiveProcessorCount=2"));
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), mode));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().reduce((first, last) -> last).orElse("").trim();
    }

    /** Prints the default executor's class and whether the pool is shared, after loading the operator's main or not. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("main")) {
                Class.forName("dev.operator.sks.cli.Main");
            }
            System.out.println(
                    new CompletableFuture<Void>().defaultExecutor().getClass().getSimpleName() + " "
                            + CommonPool.shared());
        }
    }
}
