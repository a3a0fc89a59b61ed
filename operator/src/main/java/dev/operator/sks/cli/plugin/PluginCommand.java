package dev.operator.sks.cli.plugin;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand: the connection options, the environment, and output through picocli's writers (so tests read what a
 * user would see). Subcommands only orchestrate; what they decide lives in small pure classes next to them.
 */
abstract class PluginCommand implements Callable<Integer> {
    /** The top command's, whose options every subcommand inherits. */
    final Connection connection;

    @Spec
    CommandSpec spec;

    final PluginEnvironment environment;

    PluginCommand(PluginEnvironment environment, Connection connection) {
        this.environment = environment;
        this.connection = connection;
    }

    @Override
    public final Integer call() {
        try (Connection.Session session = connection.open(environment)) {
            return run(session);
        }
    }

    abstract int run(Connection.Session session);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * Looks again every poll interval until {@code check} answers, or fails once {@code timeout} has passed with
     * {@code pending()}, which says what is still awaited.
     */
    <T> T await(Duration timeout, Supplier<Optional<T>> check, Supplier<String> pending) {
        Instant deadline = environment.clock().instant().plus(timeout);
        while (true) {
            Optional<T> answer = check.get();
            if (answer.isPresent()) {
                return answer.get();
            }
            if (!environment.clock().instant().isBefore(deadline)) {
                throw new PluginException(
                        "timed out after " + Durations.human(timeout) + ": " + pending.get(),
                        PluginException.TIMED_OUT);
            }
            environment.pause();
        }
    }
}
