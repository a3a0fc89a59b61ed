package dev.operator.sks.reconciler.kubeconfig;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.reconciler.ClusterReference;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.LeanItemStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Secrets that wake a KubeconfigRequest up: its own (a deleted or edited one is written again) and its cluster's
 * CA Secrets (a rotated clients CA re-issues or revokes every kubeconfig it no longer signs). Only Secrets labelled
 * managed-by the operator (and, sharded, labelled for this replica's shard) are watched; ownership is checked on
 * every read.
 */
final class KubeconfigEventSources {
    private static final String OWNED = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    private static final String KIND = HasMetadata.getKind(KubeconfigRequest.class);

    private KubeconfigEventSources() {}

    /** Needs the clusters' event source ({@link ClusterReference#eventSource}) first: it adds the index used here. */
    static InformerEventSource<Secret, KubeconfigRequest> secrets(
            EventSourceContext<KubeconfigRequest> context, Sharding sharding) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, KubeconfigRequest.class)
                        .withNamespacesInheritedFromController()
                        .withLabelSelector(sharding.selecting(OWNED))
                        .withSecondaryToPrimaryMapper(secret -> requestsOf(context, secret))
                        .withItemStore(LeanItemStore.trimmingFor(
                                context.getControllerConfiguration().getEffectiveNamespaces(),
                                KubeconfigEventSources::withoutUnreadData))
                        .build(),
                context);
    }

    /**
     * The informer sees every Secret the operator made, 16 per cluster; a request reads the data of only its own
     * kubeconfig Secret (controlled by a KubeconfigRequest) and its cluster's two CAs. The others are kept for their
     * metadata alone (a name taken, a Secret left behind), so the PKI is not held twice in the heap.
     */
    static Secret withoutUnreadData(Secret secret) {
        boolean read = controllingRequest(secret) || isClusterCa(secret);
        if (!read) {
            secret.setData(null);
            secret.setStringData(null);
        }
        return secret;
    }

    private static boolean controllingRequest(Secret secret) {
        return secret.getMetadata().getOwnerReferences() != null
                && secret.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> KIND.equals(o.getKind()) && Boolean.TRUE.equals(o.getController()));
    }

    private static boolean isClusterCa(Secret secret) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        String cluster = labels == null ? null : labels.get(Labels.CLUSTER);
        String name = secret.getMetadata().getName();
        return cluster != null && (name.equals(Names.clientsCa(cluster)) || name.equals(Names.clusterCa(cluster)));
    }

    /** The requests that control {@code secret}, and those of the cluster whose CA it is. */
    private static Set<ResourceID> requestsOf(EventSourceContext<KubeconfigRequest> context, Secret secret) {
        Set<ResourceID> ids = new HashSet<>();
        String namespace = secret.getMetadata().getNamespace();
        if (secret.getMetadata().getOwnerReferences() != null) {
            secret.getMetadata().getOwnerReferences().stream()
                    .filter(o -> KIND.equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
                    .forEach(o -> ids.add(new ResourceID(o.getName(), namespace)));
        }
        Map<String, String> labels = secret.getMetadata().getLabels();
        String cluster = labels == null ? null : labels.get(Labels.CLUSTER);
        String name = secret.getMetadata().getName();
        if (cluster != null && (name.equals(Names.clientsCa(cluster)) || name.equals(Names.clusterCa(cluster)))) {
            ids.addAll(ClusterReference.referencing(context, namespace, cluster));
        }
        return ids;
    }
}
