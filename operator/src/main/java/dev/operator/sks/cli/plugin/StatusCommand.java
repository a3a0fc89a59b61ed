package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kubectl sks status CLUSTER}: the cluster, its nodepools and kubeconfigs, and what is not well, on one screen. */
@Command(
        name = "status",
        description = "Show a cluster, its nodepools and kubeconfigs, and their conditions.",
        mixinStandardHelpOptions = true)
final class StatusCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The SKSCluster.")
    String cluster;

    StatusCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        KubernetesClient client = session.client();
        String namespace = session.namespace();
        SKSCluster found = Lookups.get(client, SKSCluster.class, namespace, cluster);
        StatusSummary.render(
                        found,
                        client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.resources(KubeconfigRequest.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        environment.clock().instant())
                .forEach(out()::println);
        return 0;
    }
}
