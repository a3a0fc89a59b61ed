package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sks upgrade CLUSTER [--to VERSION]}: lists the upgrades the operator offers, or asks for one by
 * setting {@code spec.version} and waits for the operator's verdict ({@code Accepted} for that generation). A refused
 * version is put back, so the cluster is not left asking for something that will never run.
 */
@Command(
        name = "upgrade",
        description = "List the available upgrades of a cluster, or start one with --to.",
        mixinStandardHelpOptions = true)
final class UpgradeCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The SKSCluster.")
    String cluster;

    @Option(
            names = "--to",
            paramLabel = "VERSION",
            description = "Version to upgrade to: a minor (its newest patch) or a patch.")
    String to;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "1m",
            description = "How long to wait for the operator to accept the version (default ${DEFAULT-VALUE}).")
    String timeout;

    UpgradeCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        KubernetesClient client = session.client();
        String namespace = session.namespace();
        SKSCluster current = Lookups.get(client, SKSCluster.class, namespace, cluster);
        if (to == null) {
            UpgradeChoice.describe(current).forEach(out()::println);
            return 0;
        }
        Duration wait = Durations.parse(timeout, "--timeout");
        UpgradeChoice.Decision decision = UpgradeChoice.decide(current, to);
        if (decision instanceof UpgradeChoice.Refuse refuse) {
            throw new PluginException("not upgrading: " + refuse.message());
        }
        UpgradeChoice.Apply apply = (UpgradeChoice.Apply) decision;
        String previous = current.getSpec().version;
        SKSCluster patched = setVersion(client, current, previous, apply.version());
        long generation = patched.getMetadata().getGeneration();
        out().println("Set spec.version of " + cluster + " from " + previous + " to " + apply.version()
                + "; waiting for the operator to accept it...");
        out().flush();

        Condition verdict = await(
                wait,
                () -> accepted(client, namespace, generation),
                () -> "the operator has not yet looked at generation " + generation + " of " + cluster
                        + " (is it running and watching namespace " + namespace + "?); spec.version stays "
                        + apply.version() + " and the upgrade starts when it does");
        if (Conditions.FALSE.equals(verdict.getStatus())) {
            String putBack = putBack(client, patched, apply.version(), previous);
            throw new PluginException("the operator refused spec.version " + apply.version() + ": "
                    + verdict.getReason() + ": " + verdict.getMessage() + ". " + putBack);
        }
        out().println("Accepted: cluster " + cluster + " upgrades from " + apply.running() + " to " + apply.version()
                + ", one control-plane component after the other.");
        out().println("Follow it with: kubectl sks status " + cluster + " -n " + namespace);
        return 0;
    }

    /** The version change, only if nobody changed spec.version since it was read (a JSON patch test). */
    private static SKSCluster setVersion(KubernetesClient client, SKSCluster cluster, String from, String to) {
        try {
            return client.resources(SKSCluster.class)
                    .inNamespace(cluster.getMetadata().getNamespace())
                    .withName(cluster.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), versionPatch(client, from, to));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 || e.getCode() == 409) {
                throw new PluginException(
                        "spec.version of " + cluster.getMetadata().getName()
                                + " changed while upgrading, or was refused by the API server: "
                                + e.getStatus().getMessage()
                                + "; run the command again");
            }
            throw e;
        }
    }

    private String putBack(KubernetesClient client, SKSCluster cluster, String refused, String previous) {
        try {
            setVersion(client, cluster, refused, previous);
            return "spec.version is back to " + previous + "; nothing changed";
        } catch (PluginException changedSince) {
            return "spec.version was changed by someone else since; it is left as it is";
        }
    }

    private static String versionPatch(KubernetesClient client, String from, String to) {
        List<Map<String, Object>> ops = from == null
                ? List.of(Map.of("op", "add", "path", "/spec/version", "value", to))
                : List.of(
                        Map.of("op", "test", "path", "/spec/version", "value", from),
                        Map.of("op", "replace", "path", "/spec/version", "value", to));
        return client.getKubernetesSerialization().asJson(ops);
    }

    /** The Accepted condition the operator wrote for {@code generation} or a later one. */
    private Optional<Condition> accepted(KubernetesClient client, String namespace, long generation) {
        SKSCluster now = client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster)
                .get();
        if (now == null) {
            throw new PluginException("cluster " + cluster + " was deleted while upgrading it");
        }
        return now.getStatus() == null
                ? Optional.empty()
                : Conditions.find(now.getStatus().conditions, Conditions.ACCEPTED)
                        .filter(c -> c.getObservedGeneration() != null && c.getObservedGeneration() >= generation)
                        .filter(c -> !Objects.equals(c.getStatus(), Conditions.UNKNOWN));
    }
}
