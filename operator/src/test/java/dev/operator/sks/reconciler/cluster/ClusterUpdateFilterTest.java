package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterUpdateFilterTest {
    final ClusterUpdateFilter filter = new ClusterUpdateFilter();

    static SKSCluster cluster(
            long generation, Map<String, String> annotations, List<String> finalizers, String deletion) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("alpha")
                .withGeneration(generation)
                .withAnnotations(annotations)
                .withFinalizers(finalizers)
                .withDeletionTimestamp(deletion)
                .build());
        return cluster;
    }

    @Test
    void specChangesAndTheRotationAnnotationReconcileStatusWritesDoNot() {
        SKSCluster base = cluster(2, Map.of(), List.of(Labels.FINALIZER), null);
        assertThat(filter.accept(cluster(2, Map.of(), List.of(Labels.FINALIZER), null), base))
                .as("a status write or a foreign label")
                .isFalse();
        assertThat(filter.accept(cluster(2, Map.of("example.com/note", "x"), List.of(Labels.FINALIZER), null), base))
                .as("another annotation")
                .isFalse();
        assertThat(filter.accept(cluster(3, Map.of(), List.of(Labels.FINALIZER), null), base))
                .isTrue();
        assertThat(filter.accept(
                        cluster(2, Map.of(Labels.ROTATE_CLIENTS_CA_ANNOTATION, "1"), List.of(Labels.FINALIZER), null),
                        base))
                .isTrue();
        SKSCluster rotated =
                cluster(2, Map.of(Labels.ROTATE_CLIENTS_CA_ANNOTATION, "1"), List.of(Labels.FINALIZER), null);
        assertThat(filter.accept(
                        cluster(2, Map.of(Labels.ROTATE_CLIENTS_CA_ANNOTATION, "2"), List.of(Labels.FINALIZER), null),
                        rotated))
                .isTrue();
        assertThat(filter.accept(
                        cluster(2, Map.of(Labels.ROTATE_CLIENTS_CA_ANNOTATION, "1"), List.of(Labels.FINALIZER), null),
                        rotated))
                .isFalse();
        assertThat(filter.accept(cluster(2, Map.of(), List.of(Labels.FINALIZER), "2025-03-01T10:00:00Z"), base))
                .as("deletion")
                .isTrue();
        assertThat(filter.accept(base, cluster(2, Map.of(), List.of(), null)))
                .as("finalizer just added")
                .isTrue();
    }

    @Test
    void theCloudKeyRotationAndKeepAnnotationsReconcileToo() {
        SKSCluster base = cluster(2, Map.of(), List.of(Labels.FINALIZER), null);
        for (String annotation : List.of(Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION, Labels.KEEP_ANNOTATION)) {
            assertThat(filter.accept(cluster(2, Map.of(annotation, "true"), List.of(Labels.FINALIZER), null), base))
                    .as(annotation)
                    .isTrue();
        }
    }
}
