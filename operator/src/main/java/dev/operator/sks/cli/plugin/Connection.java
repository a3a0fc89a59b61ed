package dev.operator.sks.cli.plugin;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every kubectl plugin takes to find its cluster, read as kubectl reads them: {@code --kubeconfig}, else
 * {@code KUBECONFIG}, else {@code ~/.kube/config}; {@code --context}, else the current context; {@code -n}, else the
 * context's namespace, else {@code default}. kubectl passes none of its own flags to a plugin, so the plugin parses
 * them itself, before or after the command ({@code kubectl sks -n team-a status demo} or {@code kubectl sks status demo
 * -n team-a}): one instance, declared on the top command and inherited by every subcommand.
 */
public final class Connection {
    @Option(
            names = {"-n", "--namespace"},
            scope = ScopeType.INHERIT,
            paramLabel = "NAMESPACE",
            description = "Namespace of the cluster (default: the current context's, else default).")
    String namespace;

    @Option(
            names = "--kubeconfig",
            scope = ScopeType.INHERIT,
            paramLabel = "FILE",
            description = "Kubeconfig to use (default: KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(
            names = "--context",
            scope = ScopeType.INHERIT,
            paramLabel = "CONTEXT",
            description = "Kubeconfig context to use.")
    String context;

    /** A client and the namespace commands work in; close it when done. */
    public record Session(KubernetesClient client, String namespace) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    public Session open(PluginEnvironment environment) {
        Config config = config(environment);
        // A command line answers promptly: a server that does not answer is reported after a short retry, not the
        // client's default of ten growing backoffs.
        config.setRequestRetryBackoffLimit(1);
        config.setConnectionTimeout(10_000);
        String ns = namespace != null
                ? namespace
                : config.getNamespace() == null || config.getNamespace().isBlank() ? "default" : config.getNamespace();
        return new Session(new KubernetesClientBuilder().withConfig(config).build(), ns);
    }

    private Config config(PluginEnvironment environment) {
        Path file = kubeconfig != null ? kubeconfig : fromEnvironment(environment);
        if (file == null) {
            // Several KUBECONFIG files (merged as kubectl merges them) or the in-cluster service account: the
            // client's own discovery reads the process environment, which is where kubectl put them.
            return Config.autoConfigure(context);
        }
        if (!Files.isReadable(file)) {
            throw new PluginException("cannot read the kubeconfig " + file
                    + ": pass --kubeconfig FILE or set KUBECONFIG to a readable file");
        }
        if (context != null) {
            // The client would fall back to the current context; kubectl refuses a context it does not know.
            List<String> known;
            try {
                known = KubeConfigUtils.parseConfig(file.toFile()).getContexts().stream()
                        .map(NamedContext::getName)
                        .toList();
            } catch (RuntimeException e) {
                throw unreadable(file);
            }
            if (!known.contains(context)) {
                throw new PluginException("context \"" + context + "\" is not in the kubeconfig " + file + "; it has: "
                        + String.join(", ", known));
            }
        }
        try {
            return Config.fromKubeconfig(context, file.toFile());
        } catch (RuntimeException e) {
            throw unreadable(file);
        }
    }

    /**
     * A kubeconfig the client cannot read. The parser's message is left out: it quotes the offending line, which in
     * a kubeconfig may be a key.
     */
    private static PluginException unreadable(Path file) {
        return new PluginException("cannot read the kubeconfig " + file + " (kubectl --kubeconfig " + file
                + " config view says what is wrong with it)");
    }

    /** The one KUBECONFIG file, else ~/.kube/config when it exists; null when the client's discovery must decide. */
    private static Path fromEnvironment(PluginEnvironment environment) {
        String variable = environment.env().get("KUBECONFIG");
        if (variable != null && !variable.isBlank()) {
            List<String> files = List.of(variable.split(File.pathSeparator)).stream()
                    .filter(f -> !f.isBlank())
                    .toList();
            return files.size() == 1 ? Path.of(files.get(0)) : null;
        }
        String home = environment.env().get("HOME");
        Path standard = home == null ? null : Path.of(home, ".kube", "config");
        return standard != null && Files.exists(standard) ? standard : null;
    }
}
