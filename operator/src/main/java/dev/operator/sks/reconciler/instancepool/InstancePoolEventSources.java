package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.LeanItemStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;

/**
 * What wakes an InstancePool: its user-data Secret appearing or changing (a rotated join token), and its owning
 * Nodepool recording its cluster, which a new pool waits for ({@link PoolOwnership#bindingChanged}). Sharded, both
 * watch this replica's shard only.
 */
final class InstancePoolEventSources {
    private InstancePoolEventSources() {}

    static List<EventSource<?, InstancePool>> of(EventSourceContext<InstancePool> context, Sharding sharding) {
        var userData = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, InstancePool.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(sharding.selecting(Labels.COMPONENT + "=" + Labels.JOIN_COMPONENT))
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(InstancePool.class, false))
                        .withItemStore(LeanItemStore.forNamespaces(
                                context.getControllerConfiguration().getEffectiveNamespaces()))
                        .build(),
                context);
        var owners = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Nodepool.class, InstancePool.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(sharding.selecting(null))
                        .withOnUpdateFilter(PoolOwnership::bindingChanged)
                        .withSecondaryToPrimaryMapper(PoolOwnership::ownPool)
                        .withItemStore(LeanItemStore.forNamespaces(
                                context.getControllerConfiguration().getEffectiveNamespaces()))
                        .withPrimaryToSecondaryMapper(
                                (PrimaryToSecondaryMapper<InstancePool>) PoolOwnership::controllingNodepool)
                        .build(),
                context);
        return List.of(userData, owners);
    }
}
