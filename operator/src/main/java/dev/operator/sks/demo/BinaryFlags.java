package dev.operator.sks.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a control-plane binary accepts, asked of the binary: the flags its {@code --help} lists, and for any other, a
 * dry parse ({@code binary --flag=value --version}, which exits 0 only once every flag parsed). Deprecated flags are
 * hidden from {@code --help} but still accepted, so a flag missing from the help is asked about before it is dropped.
 */
final class BinaryFlags implements LocalProcessPlan.FlagSupport {
    /** {@code --flag type  help} (Kubernetes' pflag) and {@code --flag 'default'} (etcd), after indentation. */
    private static final Pattern HELP_FLAG = Pattern.compile("(?m)^\\s+(?:-[A-Za-z], )?--([a-z0-9][a-z0-9-]*)");

    private final Path binary;
    private final Set<String> listed;
    private final Map<String, Boolean> asked = new ConcurrentHashMap<>();

    private BinaryFlags(Path binary, Set<String> listed) {
        this.binary = binary;
        this.listed = listed;
    }

    static BinaryFlags of(Path binary) throws IOException, InterruptedException {
        return new BinaryFlags(
                binary, listedFlags(run(binary, List.of("--help")).output()));
    }

    /** The flags a help text lists. */
    static Set<String> listedFlags(String help) {
        Matcher m = HELP_FLAG.matcher(help);
        return m.results().map(r -> r.group(1)).collect(Collectors.toUnmodifiableSet());
    }

    /** The binary's own version line ({@code Kubernetes v1.20.2}, {@code etcd Version: 3.4.23}). */
    static String version(Path binary) throws IOException, InterruptedException {
        String output = run(binary, List.of("--version")).output();
        return output.lines().findFirst().orElse("unknown version").trim();
    }

    @Override
    public boolean accepts(String flag, String value) {
        if (listed.contains(flag)) {
            return true;
        }
        return asked.computeIfAbsent(flag + "=" + value, key -> {
            try {
                return run(binary, List.of("--" + key, "--version")).exitCode() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Path binary, List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output);
        }
        return new Result(process.exitValue(), output);
    }
}
