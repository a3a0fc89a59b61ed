package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.nodepool.InstancePools;
import dev.operator.sks.rendering.Owners;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sks evict NODEPOOL INSTANCE...}: adds the instances to the Nodepool's evict annotation, which the
 * operator passes to its InstancePool and clears once they are gone; the pool grows back to its size with new
 * machines. Names are checked against the pool's own instances first, so a typo is an error, not a silent no-op.
 */
@Command(
        name = "evict",
        description = "Replace instances of a nodepool: they are removed and new ones take their place.",
        mixinStandardHelpOptions = true)
final class EvictCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "NODEPOOL", description = "The Nodepool.")
    String nodepool;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INSTANCE", description = "Instances to evict.")
    List<String> instances = new ArrayList<>();

    EvictCommand(PluginEnvironment environment, Connection connection) {
        super(environment, connection);
    }

    @Override
    int run(Connection.Session session) {
        KubernetesClient client = session.client();
        String namespace = session.namespace();
        Nodepool pool = Lookups.get(client, Nodepool.class, namespace, nodepool);
        List<String> existing = instancesOf(client, pool);
        List<String> unknown =
                instances.stream().filter(i -> !existing.contains(i)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new PluginException("nodepool " + nodepool + " has no instance " + String.join(", ", unknown)
                    + "; its instances are: " + (existing.isEmpty() ? "none yet" : String.join(", ", existing)));
        }
        // Added to evictions still pending, never replacing them: the operator clears the annotation once all are done.
        TreeSet<String> evict = new TreeSet<>(InstancePools.evictions(pool));
        evict.addAll(instances);
        String value = String.join(",", evict);
        String patch = client.getKubernetesSerialization()
                .asJson(Map.of("metadata", Map.of("annotations", Map.of(Labels.EVICT_ANNOTATION, value))));
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(nodepool)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        out().println("Asked to evict " + String.join(", ", instances) + " from nodepool " + nodepool + " ("
                + Labels.EVICT_ANNOTATION + "=" + value + "): the operator removes them and the pool grows back to "
                + pool.getSpec().size + (pool.getSpec().size == 1 ? " instance" : " instances") + " with new ones.");
        out().println("Follow it with: kubectl describe np " + nodepool + " -n " + namespace);
        return 0;
    }

    /** The instances of the pool's own InstancePool (controlled by this Nodepool's UID), by name. */
    private List<String> instancesOf(KubernetesClient client, Nodepool pool) {
        String name = pool.getStatus() == null ? null : pool.getStatus().instancePool;
        InstancePool instancePool = name == null
                ? null
                : client.resources(InstancePool.class)
                        .inNamespace(pool.getMetadata().getNamespace())
                        .withName(name)
                        .get();
        if (instancePool == null || !Owners.isControlledBy(instancePool, pool)) {
            throw new PluginException("nodepool " + nodepool + " has no instance pool of its own yet; see kubectl "
                    + "describe np " + nodepool + " -n " + pool.getMetadata().getNamespace());
        }
        return instancePool.getStatus() == null
                ? List.of()
                : instancePool.getStatus().instances.stream()
                        .map(i -> i.name)
                        .sorted()
                        .toList();
    }
}
