package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of an SKSCluster start a reconcile: JOSDK's generation-aware default (a spec change, the finalizer
 * just added, deletion), plus a change of the rotate-clients-ca annotation, which does not move the generation. With
 * generation-aware processing the annotation alone would wait for the next resync; status writes still start none.
 */
public class ClusterUpdateFilter implements OnUpdateFilter<SKSCluster> {

  @Override
  public boolean accept(SKSCluster newer, SKSCluster older) {
    return generation(newer) > generation(older)
        || newer.isMarkedForDeletion()
        || (newer.hasFinalizer(Labels.FINALIZER) && !older.hasFinalizer(Labels.FINALIZER))
        || !Objects.equals(rotation(newer), rotation(older));
  }

  private static long generation(SKSCluster cluster) {
    Long generation = cluster.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private static String rotation(SKSCluster cluster) {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Labels.ROTATE_CLIENTS_CA_ANNOTATION);
  }
}
