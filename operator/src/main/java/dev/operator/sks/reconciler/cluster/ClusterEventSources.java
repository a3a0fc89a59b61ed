package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.LeanItemStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What wakes a cluster up, and the caches its reconcile reads: one informer per kind the cluster writes (objects
 * labelled managed-by the operator; the label filters the watch, ownership is checked on every read), and the
 * nodepools, whose deletion a deleted cluster waits for. Sharded, every one of them selects this replica's shard
 * label too ({@link Sharding#selecting}): the operator stamps it on all it writes, so a replica caches its own
 * shard's objects only.
 */
final class ClusterEventSources {
    private static final String WATCHED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;

    private ClusterEventSources() {}

    /** @param budgetsServed whether policy/v1 PodDisruptionBudgets are served, so written, so watched */
    static List<EventSource<?, SKSCluster>> of(
            EventSourceContext<SKSCluster> context, InformerCaches caches, boolean budgetsServed, Sharding sharding) {
        List<EventSource<?, SKSCluster>> sources = new ArrayList<>();
        List<Class<? extends HasMetadata>> kinds = new ArrayList<>(
                List.of(Deployment.class, StatefulSet.class, Service.class, ConfigMap.class, Secret.class));
        if (budgetsServed) {
            kinds.add(PodDisruptionBudget.class);
        }
        kinds.forEach(kind -> sources.add(watch(context, caches, kind, sharding)));
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Nodepool.class, SKSCluster.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(sharding.selecting(null))
                        .withSecondaryToPrimaryMapper(ClusterEventSources::clustersOf)
                        .withItemStore(LeanItemStore.forNamespaces(
                                context.getControllerConfiguration().getEffectiveNamespaces()))
                        .build(),
                context));
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, SKSCluster> watch(
            EventSourceContext<SKSCluster> context, InformerCaches caches, Class<R> type, Sharding sharding) {
        InformerEventSource<R, SKSCluster> source = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, SKSCluster.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(sharding.selecting(WATCHED))
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SKSCluster.class, false))
                        .withItemStore(LeanItemStore.forNamespaces(
                                context.getControllerConfiguration().getEffectiveNamespaces()))
                        .build(),
                context);
        caches.add(type, source);
        return source;
    }

    /** The cluster a pool was accepted for (its status), which teardown follows, and the one its spec names. */
    static Set<ResourceID> clustersOf(Nodepool nodepool) {
        Set<ResourceID> clusters = new HashSet<>();
        String namespace = nodepool.getMetadata().getNamespace();
        Optional.ofNullable(nodepool.getStatus())
                .map(s -> s.cluster)
                .ifPresent(c -> clusters.add(new ResourceID(c, namespace)));
        Optional.ofNullable(nodepool.getSpec())
                .map(s -> s.cluster)
                .ifPresent(c -> clusters.add(new ResourceID(c, namespace)));
        return clusters;
    }
}
