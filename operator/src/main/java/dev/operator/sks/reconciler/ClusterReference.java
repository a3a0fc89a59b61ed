package dev.operator.sks.reconciler;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.LeanItemStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Resources that name their SKSCluster in {@code spec.cluster} (Nodepool, KubeconfigRequest) watch the clusters
 * through this event source, so a cluster that appears or becomes Ready wakes the resources waiting for it. Sharded,
 * it watches the clusters of this replica's shard only: a resource names a cluster of its own namespace, so of its
 * own shard.
 */
public final class ClusterReference {
    private static final String INDEX = "by-cluster";

    private ClusterReference() {}

    public static <P extends HasMetadata> InformerEventSource<SKSCluster, P> eventSource(
            EventSourceContext<P> context, Function<P, String> clusterName, Sharding sharding) {
        context.getPrimaryCache()
                .addIndexer(INDEX, p -> List.of(key(p.getMetadata().getNamespace(), clusterName.apply(p))));
        var configuration = InformerEventSourceConfiguration.from(SKSCluster.class, context.getPrimaryResourceClass())
                .withNamespacesInheritedFromController()
                .withLabelSelector(sharding.selecting(null))
                .withItemStore(LeanItemStore.forNamespaces(
                        context.getControllerConfiguration().getEffectiveNamespaces()))
                .withSecondaryToPrimaryMapper(cluster -> referencing(
                        context,
                        cluster.getMetadata().getNamespace(),
                        cluster.getMetadata().getName()))
                .withPrimaryToSecondaryMapper(
                        (PrimaryToSecondaryMapper<P>) primary -> clusterName.apply(primary) == null
                                ? Set.of()
                                : Set.of(new ResourceID(
                                        clusterName.apply(primary),
                                        primary.getMetadata().getNamespace())))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /**
     * The primaries of {@code namespace} that name {@code cluster}, from the index {@link #eventSource} adds: other
     * event sources map a cluster's objects (its CA Secrets) to the resources that use it with this.
     */
    public static <P extends HasMetadata> Set<ResourceID> referencing(
            EventSourceContext<P> context, String namespace, String cluster) {
        return context.getPrimaryCache().byIndex(INDEX, key(namespace, cluster)).stream()
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
