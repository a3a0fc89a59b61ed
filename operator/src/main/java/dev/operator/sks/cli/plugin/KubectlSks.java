package dev.operator.sks.cli.plugin;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kubectl sks}: the SKS operator's kubectl plugin. kubectl runs the {@code kubectl-sks} launcher on the PATH,
 * which runs this class from the operator's jar. Exit codes: 0 done, 1 failed or refused, 2 bad usage, 3 timed out.
 */
@Command(
        name = "kubectl sks",
        description = "Work with SKS clusters: kubeconfigs, upgrades, rotations, nodepools.",
        mixinStandardHelpOptions = true,
        versionProvider = KubectlSks.Version.class,
        synopsisSubcommandLabel = "COMMAND")
public final class KubectlSks implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    final Connection connection;

    private KubectlSks(Connection connection) {
        this.connection = connection;
    }

    public static void main(String[] args) {
        quietLogging();
        System.exit(commandLine(PluginEnvironment.system()).execute(args));
    }

    /** The whole command tree, with the error handling a user sees; tests set its out and err. */
    public static CommandLine commandLine(PluginEnvironment environment) {
        Connection connection = new Connection();
        CommandLine line = new CommandLine(new KubectlSks(connection))
                .addSubcommand(new KubeconfigCommand(environment, connection))
                .addSubcommand(new UpgradeCommand(environment, connection))
                .addSubcommand(new RotateCommand(environment, connection))
                .addSubcommand(new ScaleCommand(environment, connection))
                .addSubcommand(new EvictCommand(environment, connection))
                .addSubcommand(new StatusCommand(environment, connection));
        line.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("error: " + explain(e));
            command.getErr().flush();
            return e instanceof PluginException p ? p.exitCode() : PluginException.FAILED;
        });
        return line;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: kubeconfig, upgrade, rotate, scale, evict or status");
    }

    /** What went wrong, in words that say what to do; API errors carry the server's message, never a body we sent. */
    static String explain(Exception e) {
        if (e instanceof PluginException) {
            return e.getMessage();
        }
        if (e instanceof KubernetesClientException k) {
            if (k.getCode() == 401) {
                return "the API server does not accept these credentials (401): check the kubeconfig's user, or get "
                        + "a fresh kubeconfig";
            }
            if (k.getCode() == 403) {
                return "forbidden (403): " + statusMessage(k) + "; ask for RBAC on the sks.operator.dev resources";
            }
            if (k.getCode() == 404) {
                return "not found (404): " + statusMessage(k) + "; are the SKS CRDs installed (kubectl get crd "
                        + "sksclusters.sks.operator.dev)?";
            }
            if (k.getCode() > 0) {
                return "the API server answered " + k.getCode() + ": " + statusMessage(k);
            }
            if (hasCause(k, IOException.class)) {
                return "cannot reach the API server: " + rootMessage(k) + "; check the kubeconfig's context "
                        + "(kubectl config current-context) and that the cluster is up";
            }
        }
        return e.getClass().getSimpleName() + ": " + rootMessage(e);
    }

    private static String statusMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : rootMessage(e);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /**
     * The jar's logging (made for the operator) writes to stdout, where it would mix with what the plugin prints and
     * with a kubeconfig on {@code -o -}; the plugin says everything itself, so it is switched off.
     */
    private static void quietLogging() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = KubectlSks.class.getPackage().getImplementationVersion();
            return new String[] {"kubectl sks " + (version == null ? "(development build)" : version)};
        }
    }
}
