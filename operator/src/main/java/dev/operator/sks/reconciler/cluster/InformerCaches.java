package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@link ObjectCache} over the cluster reconciler's informer event sources, one per kind. The operator hands its
 * Secret cache to the tenant clients too, so reading a cluster's admin kubeconfig costs no request.
 */
public final class InformerCaches implements ObjectCache {
    /**
     * Each informer's index of its objects by namespace and {@link Labels#CLUSTER}: what one cluster's reconcile looks
     * up among a namespace's objects, without going through every object of every other cluster in it (at a thousand
     * clusters in one namespace, a scan of 16,000 Secrets for each new cluster).
     */
    private static final String BY_CLUSTER = "sks-cluster";

    private final Map<Class<?>, InformerEventSource<?, ?>> sources = new ConcurrentHashMap<>();

    /** Before the informer starts: it indexes what it holds from the first object on. */
    <R extends HasMetadata> void add(Class<R> type, InformerEventSource<R, ?> source) {
        source.addIndexers(Map.of(
                BY_CLUSTER,
                o -> ObjectCache.clusterOf(o)
                        .map(c -> List.of(key(o.getMetadata().getNamespace(), c)))
                        .orElse(List.of())));
        sources.put(type, source);
    }

    @Override
    public <T extends HasMetadata> Stream<T> listOfCluster(Class<T> type, String namespace, String cluster) {
        return source(type)
                .map(s -> s.byIndex(BY_CLUSTER, key(namespace, cluster)).stream())
                .orElseGet(Stream::empty);
    }

    private static String key(String namespace, String cluster) {
        return namespace + "/" + cluster;
    }

    @Override
    public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        return source(type).flatMap(s -> s.get(new ResourceID(name, namespace)));
    }

    @Override
    public <T extends HasMetadata> Stream<T> list(Class<T> type, String namespace) {
        return source(type).map(s -> s.list(namespace, o -> true)).orElseGet(Stream::empty);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void written(HasMetadata written, HasMetadata previous) {
        InformerEventSource<HasMetadata, ?> source =
                (InformerEventSource<HasMetadata, ?>) sources.get(written.getClass());
        if (source == null) {
            return;
        }
        ResourceID id = ResourceID.fromResource(written);
        if (previous == null) {
            source.handleRecentResourceCreate(id, written);
        } else {
            source.handleRecentResourceUpdate(id, written, previous);
        }
    }

    @Override
    public boolean watches(Class<? extends HasMetadata> type) {
        return sources.containsKey(type);
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Optional<InformerEventSource<T, ?>> source(Class<T> type) {
        return Optional.ofNullable((InformerEventSource<T, ?>) sources.get(type));
    }
}
