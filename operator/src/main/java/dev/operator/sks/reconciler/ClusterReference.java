package dev.operator.sks.reconciler;

import dev.operator.sks.api.SKSCluster;
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
 * through this event source, so a cluster that appears or becomes Ready wakes the resources waiting for it.
 */
public final class ClusterReference {
  private static final String INDEX = "by-cluster";

  private ClusterReference() {}

  public static <P extends HasMetadata> InformerEventSource<SKSCluster, P> eventSource(
      EventSourceContext<P> context, Function<P, String> clusterName) {
    context.getPrimaryCache().addIndexer(INDEX, p -> List.of(key(p.getMetadata().getNamespace(),
        clusterName.apply(p))));
    var configuration = InformerEventSourceConfiguration.from(SKSCluster.class, context.getPrimaryResourceClass())
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(cluster -> context.getPrimaryCache()
            .byIndex(INDEX, key(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName()))
            .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withPrimaryToSecondaryMapper((PrimaryToSecondaryMapper<P>) primary -> clusterName.apply(primary) == null
            ? Set.of()
            : Set.of(new ResourceID(clusterName.apply(primary), primary.getMetadata().getNamespace())))
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
