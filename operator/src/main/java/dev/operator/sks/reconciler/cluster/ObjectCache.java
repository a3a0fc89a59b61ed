package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the informers see of the kinds the cluster reconciler writes: read instead of the API server, so a cluster
 * whose objects all say what they should costs no request. The informers watch objects labelled managed-by the
 * operator only; that label is a watch filter, never proof of ownership (anyone can set it).
 */
interface ObjectCache {
    /** Sees nothing: every read goes to the API server (tests without informers). */
    ObjectCache NONE = new Empty(false);

    /**
     * Holds nothing. {@code watching}, it stands for informers that have seen no object yet: what they lack is then
     * left to the lists of the objects they do not watch ({@link UnwatchedNames}).
     */
    record Empty(boolean watching) implements ObjectCache {
        @Override
        public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public <T extends HasMetadata> Stream<T> list(Class<T> type, String namespace) {
            return Stream.empty();
        }

        @Override
        public void written(HasMetadata written, HasMetadata previous) {
            // Nothing kept.
        }

        @Override
        public boolean watches(Class<? extends HasMetadata> type) {
            return watching;
        }
    }

    <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name);

    <T extends HasMetadata> Stream<T> list(Class<T> type, String namespace);

    /** What {@link #list} holds labelled as {@code cluster}'s ({@link Labels#CLUSTER}, compared as it is). */
    default <T extends HasMetadata> Stream<T> listOfCluster(Class<T> type, String namespace, String cluster) {
        return list(type, namespace)
                .filter(o -> clusterOf(o).filter(cluster::equals).isPresent());
    }

    /**
     * Keeps what a write returned until the informer has seen it, so the next reconcile does not act on the older
     * object again. {@code previous} is the object written over, or null for a create.
     */
    void written(HasMetadata written, HasMetadata previous);

    /**
     * Whether an informer watches {@code type} (objects labelled managed-by the operator): what it lacks of that kind
     * is then either unlabelled or not made yet, which one list of the objects not so labelled finds.
     */
    boolean watches(Class<? extends HasMetadata> type);

    /** The cluster an object is labelled as belonging to ({@link Labels#CLUSTER}), a filter and never proof. */
    static Optional<String> clusterOf(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get(Labels.CLUSTER));
    }
}
