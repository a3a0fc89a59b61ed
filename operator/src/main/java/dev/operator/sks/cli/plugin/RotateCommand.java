package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.SKSCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sks rotate CLUSTER clients-ca|ccm-credentials|ca}: sets the rotation's annotation to a new value (the
 * time, as the README's kubectl annotate does), which the operator acts on once.
 */
@Command(
        name = "rotate",
        description = "Rotate credentials of a cluster: clients-ca (revokes every kubeconfig), ccm-credentials, ca.",
        mixinStandardHelpOptions = true)
final class RotateCommand extends PluginCommand {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The SKSCluster.")
    String cluster;

    @Parameters(index = "1", paramLabel = "WHAT", description = "clients-ca, ccm-credentials or ca.")
    String what;

    RotateCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        Rotations.Rotation rotation = Rotations.named(what);
        if (rotation.annotation().isEmpty()) {
            throw new PluginException("this operator version does not support rotating " + rotation.name() + " ("
                    + rotation.effect() + "); nothing was changed");
        }
        KubernetesClient client = session.client();
        SKSCluster found = Lookups.get(client, SKSCluster.class, session.namespace(), cluster);
        String value = STAMP.format(environment.clock().instant());
        Map<String, String> annotations = found.getMetadata().getAnnotations();
        if (annotations != null
                && value.equals(annotations.get(rotation.annotation().get()))) {
            // Each new value rotates once: the same value again would be silently ignored.
            throw new PluginException(rotation.name() + " of cluster " + cluster + " was asked to rotate this very "
                    + "second; run the command again in a second for another rotation");
        }
        String patch = client.getKubernetesSerialization()
                .asJson(Map.of(
                        "metadata",
                        Map.of("annotations", Map.of(rotation.annotation().get(), value))));
        client.resources(SKSCluster.class)
                .inNamespace(session.namespace())
                .withName(cluster)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        out().println("Asked to rotate " + rotation.name() + " of cluster " + cluster + " ("
                + rotation.annotation().get() + "=" + value + "): " + rotation.effect() + ".");
        out().println("Follow it with: kubectl describe skc " + cluster + " -n " + session.namespace());
        return 0;
    }
}
