package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.Nodepool;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sks scale NODEPOOL N}: through the Nodepool's scale subresource, as {@code kubectl scale} and an
 * autoscaler do, so RBAC on {@code nodepools/scale} is enough.
 */
@Command(name = "scale", description = "Set the number of instances of a nodepool.", mixinStandardHelpOptions = true)
final class ScaleCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "NODEPOOL", description = "The Nodepool.")
    String nodepool;

    @Parameters(index = "1", paramLabel = "SIZE", description = "Number of instances, 0 to 1000.")
    int size;

    ScaleCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        if (size < 0 || size > 1000) {
            throw new PluginException("SIZE " + size + " is out of range: a nodepool has 0 to 1000 instances");
        }
        KubernetesClient client = session.client();
        Lookups.get(client, Nodepool.class, session.namespace(), nodepool);
        Resource<Nodepool> resource = client.resources(Nodepool.class)
                .inNamespace(session.namespace())
                .withName(nodepool);
        Scale scale = resource.scale();
        Integer before = scale.getSpec() == null ? null : scale.getSpec().getReplicas();
        scale.getSpec().setReplicas(size);
        try {
            resource.scale(scale);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new PluginException("nodepool " + nodepool + " changed while scaling it; run the command again");
            }
            throw e;
        }
        out().println("Nodepool " + nodepool + ": size " + before + " -> " + size
                + ". The operator resizes its instance pool; follow it with kubectl get np " + nodepool + " -n "
                + session.namespace());
        return 0;
    }
}
