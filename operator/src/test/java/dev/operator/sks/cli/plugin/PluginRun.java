package dev.operator.sks.cli.plugin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs {@code kubectl sks ARGS} in-process as a user would, capturing what it prints and its exit code. */
record PluginRun(int exitCode, String out, String err) {

    static PluginRun run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KubectlSks.commandLine(new PluginEnvironment(env, Clock.systemUTC(), Duration.ofMillis(200)))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        PluginRun run = new PluginRun(code, out.toString(), err.toString());
        // The transcript, in the test's output: what a user would see.
        System.out.println("$ kubectl sks " + String.join(" ", List.of(args)) + "\n" + run.out + run.err + "(exit "
                + code + ")\n");
        return run;
    }
}
