package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolSpec;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.autoscaling.NodeGroups;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.status.StatusPatches;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What InstancePool a Nodepool asks for: pure knowledge, no client. */
public final class InstancePools {
    /** The JSON patch that clears the Nodepool's evict annotation once its evictions are done. */
    public static final String REMOVE_EVICT_ANNOTATION = "[{\"op\":\"remove\",\"path\":\"/metadata/annotations/"
            + Labels.EVICT_ANNOTATION.replace("~", "~0").replace("/", "~1") + "\"}]";

    private InstancePools() {}

    /** The Nodepool's own InstancePool among {@code pools}: named {@code name} and controlled by the Nodepool. */
    public static Optional<InstancePool> own(Collection<InstancePool> pools, Nodepool nodepool, String name) {
        return pools.stream()
                .filter(p -> name.equals(p.getMetadata().getName()) && Owners.isControlledBy(p, nodepool))
                .findFirst();
    }

    /**
     * Why the Nodepool may not write {@code existing}, the InstancePool of its pool's name: a same-named pool it does
     * not control is someone else's, never written over. Empty when there is none, or it is the Nodepool's.
     */
    public static Optional<String> conflict(Optional<InstancePool> existing, Nodepool nodepool) {
        return existing.flatMap(pool -> NameConflict.of(pool, nodepool)).map(conflict -> conflict.message(nodepool));
    }

    /** Whether the InstancePool must be written: its spec differs from the desired one. */
    public static boolean specChanged(InstancePool observed, InstancePool desired) {
        return !StatusPatches.SERIALIZATION
                .asJson(observed.getSpec())
                .equals(StatusPatches.SERIALIZATION.asJson(desired.getSpec()));
    }

    /** Whether the pool has removed every instance {@code evictions} names: the annotation has done its job. */
    public static boolean evictionsDone(InstancePool pool, List<String> evictions) {
        return !evictions.isEmpty()
                && pool.getStatus() != null
                && pool.getStatus().evicted != null
                && pool.getStatus().evicted.containsAll(evictions);
    }

    /**
     * The InstancePool of {@code nodepool} (with its stable {@code id}) in {@code cluster}'s zone, owned by the
     * nodepool; {@code cluster} is the one the nodepool belongs to, whatever its spec.cluster says. Its nodes carry
     * the nodepool's labels plus {@code sks.operator.dev/nodepool-id}.
     */
    public static InstancePool desired(Nodepool nodepool, SKSCluster cluster, String id, List<String> evict) {
        return desired(nodepool, cluster, id, evict, Optional.ofNullable(nodepool.getSpec().template));
    }

    /** As above, booting {@code template} ({@link NodeImages#template}); empty leaves the provider's default. */
    public static InstancePool desired(
            Nodepool nodepool, SKSCluster cluster, String id, List<String> evict, Optional<String> template) {
        return desired(nodepool, cluster, id, evict, template, size(nodepool), null, null);
    }

    /**
     * As above, with the machine lifecycle's say: {@code size} machines (spec.size, plus a surge while replacing), and
     * the {@code revision} and Kubernetes {@code version} new instances are recorded with.
     */
    public static InstancePool desired(
            Nodepool nodepool,
            SKSCluster cluster,
            String id,
            List<String> evict,
            Optional<String> template,
            Integer size,
            String revision,
            String version) {
        String name = Names.instancePool(nodepool.getMetadata().getName(), id);
        InstancePool pool = new InstancePool();
        pool.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(nodepool.getMetadata().getNamespace())
                .withLabels(labels(nodepool, cluster, id))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(nodepool.getApiVersion())
                        .withKind(nodepool.getKind())
                        .withName(nodepool.getMetadata().getName())
                        .withUid(nodepool.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build())
                .build());
        InstancePoolSpec spec = new InstancePoolSpec();
        spec.cluster = cluster.getMetadata().getName();
        spec.zone = cluster.getSpec().zone;
        spec.size = size;
        spec.instanceType = nodepool.getSpec().instanceType;
        spec.diskSize = Defaults.diskSize(nodepool.getSpec());
        spec.instancePrefix = Defaults.instancePrefix(nodepool.getSpec());
        spec.securityGroups = copy(nodepool.getSpec().securityGroups);
        spec.antiAffinityGroups = copy(nodepool.getSpec().antiAffinityGroups);
        spec.privateNetworks = copy(nodepool.getSpec().privateNetworks);
        spec.deployTarget = nodepool.getSpec().deployTarget;
        spec.template = template.filter(t -> !t.isBlank()).orElse(null);
        spec.labels = nodeLabels(nodepool, id);
        spec.taints = new ArrayList<>(Defaults.taints(nodepool.getSpec()));
        spec.userDataSecretName = Names.userData(name);
        spec.evict = new ArrayList<>(evict);
        spec.revision = revision;
        spec.version = version;
        pool.setSpec(spec);
        return pool;
    }

    /**
     * The instances the pool runs: {@code spec.size}, kept within {@code spec.autoscaling}'s bounds when the pool has
     * them (the cluster-autoscaler owns the size then, and a hand edit or a narrowed range is clamped, never refused).
     */
    public static int size(Nodepool nodepool) {
        int size = nodepool.getSpec().size == null ? 0 : nodepool.getSpec().size;
        return NodeGroups.Bounds.of(nodepool.getSpec().autoscaling)
                .map(b -> b.clamp(size))
                .orElse(size);
    }

    /** The labels every node of the pool registers with. */
    public static Map<String, String> nodeLabels(Nodepool nodepool, String id) {
        Map<String, String> labels = new LinkedHashMap<>(Defaults.labels(nodepool.getSpec()));
        labels.put(Labels.NODEPOOL_ID, id);
        return labels;
    }

    /** The instance names the user asked to evict, from the Nodepool's annotation; empty when there is none. */
    public static List<String> evictions(Nodepool nodepool) {
        Map<String, String> annotations = nodepool.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Labels.EVICT_ANNOTATION);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .distinct()
                .sorted()
                .toList();
    }

    /** Labelled for the cluster served, never a later spec.cluster. */
    private static Map<String, String> labels(Nodepool nodepool, SKSCluster cluster, String id) {
        Map<String, String> labels = Labels.forComponent(cluster.getMetadata().getName(), "instance-pool");
        labels.put(Labels.NODEPOOL, nodepool.getMetadata().getName());
        labels.put(Labels.NODEPOOL_ID, id);
        return labels;
    }

    private static List<String> copy(List<String> list) {
        return list == null ? new ArrayList<>() : new ArrayList<>(list);
    }
}
