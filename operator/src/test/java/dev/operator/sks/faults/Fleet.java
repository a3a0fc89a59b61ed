package dev.operator.sks.faults;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A fleet for the fault tier: clusters (starter, no CNI, ClusterIP exposure) spread over namespaces, each with a
 * one-machine Nodepool and a KubeconfigRequest, and the checks that nothing was lost or done twice while faults hit the
 * operator: every cluster converged, no duplicate object, no orphan, no CA or service-account key changed since it was
 * first seen, and no kubeconfig issued twice for one request generation.
 *
 * <p>Reads go straight to the API server (never through a fault proxy): the fleet is the observer, not the operator.
 * Only digests of Secret data are kept, never the data.
 */
final class Fleet {
    static final int CLUSTERS_PER_NAMESPACE = 10;

    /** The Secrets whose data must never change once made: every CA and the service-account signing key. */
    private static final List<java.util.function.Function<String, String>> KEPT_SECRETS =
            List.of(Names::clusterCa, Names::etcdCa, Names::frontProxyCa, Names::clientsCa, Names::serviceAccountKeys);

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final int clusters;
    private final Map<String, String> keptDigests = new ConcurrentHashMap<>();
    private final Map<String, String> issuedSerials = new ConcurrentHashMap<>();
    private final Map<String, String> kubeconfigDigests = new ConcurrentHashMap<>();
    private final List<String> changes = Collections.synchronizedList(new ArrayList<>());

    Fleet(KubernetesClient client, List<String> namespaces, int clusters) {
        if (namespaces.size() * CLUSTERS_PER_NAMESPACE < clusters) {
            throw new IllegalArgumentException("need " + namespacesFor(clusters) + " namespaces");
        }
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
        this.clusters = clusters;
    }

    static int namespacesFor(int clusters) {
        return (clusters + CLUSTERS_PER_NAMESPACE - 1) / CLUSTERS_PER_NAMESPACE;
    }

    static String clusterName(int i) {
        return "fleet-%03d".formatted(i);
    }

    String namespaceOf(int i) {
        return namespaces.get(i / CLUSTERS_PER_NAMESPACE);
    }

    /** Creates every cluster, its Nodepool and its KubeconfigRequest (all at once: the operator sorts the order). */
    void create() {
        for (int i = 0; i < clusters; i++) {
            String name = clusterName(i);
            for (String yaml : List.of("""
                    apiVersion: sks.operator.dev/v1alpha1
                    kind: SKSCluster
                    metadata: {name: %s}
                    spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
                    """.formatted(name), """
                    apiVersion: sks.operator.dev/v1alpha1
                    kind: Nodepool
                    metadata: {name: %s-pool}
                    spec: {cluster: %s, size: 1, instanceType: standard.medium}
                    """.formatted(name, name), """
                    apiVersion: sks.operator.dev/v1alpha1
                    kind: KubeconfigRequest
                    metadata: {name: %s-admin}
                    spec: {cluster: %s, user: admin, groups: [system:masters], ttlSeconds: 86400}
                    """.formatted(name, name))) {
                HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
                client.resource(resource).inNamespace(namespaceOf(i)).create();
            }
        }
    }

    /**
     * Records what is seen now: the digest of each kept Secret's data and each issued kubeconfig, the serial issued for
     * each request generation, from the first sight on; a later difference is a change, kept for {@link #check}.
     */
    void observe() {
        for (String namespace : namespaces) {
            for (Secret secret : client.secrets().inNamespace(namespace).list().getItems()) {
                if (secret.getData() == null) {
                    continue;
                }
                // By name, not UID: a CA deleted and made again under its name is a changed CA.
                String key = namespace + "/" + secret.getMetadata().getName();
                String digest = Digests.sha256Hex(new TreeMap<>(secret.getData()).toString());
                if (isKept(secret.getMetadata().getName())) {
                    remember(keptDigests, key, digest, "kept Secret " + key + " changed its data");
                } else if (isKubeconfig(secret.getMetadata().getName())) {
                    remember(kubeconfigDigests, key, digest, "kubeconfig Secret " + key + " was issued again");
                }
            }
            for (KubeconfigRequest request : client.resources(KubeconfigRequest.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                if (request.getStatus() == null
                        || request.getStatus().serialNumber == null
                        || request.getStatus().observedGeneration == null) {
                    continue;
                }
                String key = namespace + "/" + request.getMetadata().getName() + "@"
                        + request.getMetadata().getUid() + " generation " + request.getStatus().observedGeneration;
                remember(
                        issuedSerials,
                        key,
                        request.getStatus().serialNumber,
                        "request " + key + " was issued a second certificate");
            }
        }
    }

    private void remember(Map<String, String> seen, String key, String value, String change) {
        String first = seen.putIfAbsent(key, value);
        if (first != null && !first.equals(value)) {
            seen.put(key, value);
            changes.add(change);
        }
    }

    private boolean isKept(String secret) {
        for (int i = 0; i < clusters; i++) {
            String cluster = clusterName(i);
            if (secret.startsWith(cluster)) {
                for (var name : KEPT_SECRETS) {
                    if (name.apply(cluster).equals(secret)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean isKubeconfig(String secret) {
        for (int i = 0; i < clusters; i++) {
            if (Names.kubeconfigSecret(clusterName(i) + "-admin").equals(secret)) {
                return true;
            }
        }
        return false;
    }

    /** What is not converged yet, by kind (empty when every cluster, pool and kubeconfig is done). */
    Map<String, Integer> pending() {
        Map<String, Integer> pending = new TreeMap<>();
        for (String namespace : namespaces) {
            for (SKSCluster cluster : client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                if (cluster.getStatus() == null || cluster.getStatus().state != ClusterState.Running) {
                    pending.merge("clusters", 1, Integer::sum);
                }
            }
            for (Nodepool pool : client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                if (pool.getStatus() == null
                        || pool.getStatus().state != PoolState.Running
                        || !Objects.equals(pool.getStatus().size, pool.getSpec().size)) {
                    pending.merge("nodepools", 1, Integer::sum);
                }
            }
            for (KubeconfigRequest request : client.resources(KubeconfigRequest.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                boolean ready = request.getStatus() != null
                        && request.getStatus().secretName != null
                        && Conditions.find(request.getStatus().conditions, Conditions.READY)
                                .map(c -> Conditions.TRUE.equals(c.getStatus()))
                                .orElse(false);
                if (!ready) {
                    pending.merge("kubeconfigs", 1, Integer::sum);
                }
            }
        }
        return pending;
    }

    /**
     * What each unconverged Nodepool, its InstancePool and its cluster say, and the Events they recorded: printed when
     * a run does not converge, so a stuck object can be understood from the log alone. Secret data is never read.
     */
    String describePending() {
        StringBuilder out = new StringBuilder();
        for (String namespace : namespaces) {
            for (Nodepool pool : client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                if (pool.getStatus() != null
                        && pool.getStatus().state == PoolState.Running
                        && Objects.equals(pool.getStatus().size, pool.getSpec().size)) {
                    continue;
                }
                out.append("Nodepool ")
                        .append(namespace)
                        .append('/')
                        .append(pool.getMetadata().getName())
                        .append(" generation ")
                        .append(pool.getMetadata().getGeneration())
                        .append(" resourceVersion ")
                        .append(pool.getMetadata().getResourceVersion())
                        .append(" status ")
                        .append(client.getKubernetesSerialization().asJson(pool.getStatus()))
                        .append('\n');
                for (InstancePool instancePool : client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems()) {
                    if (instancePool.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> o.getUid().equals(pool.getMetadata().getUid()))) {
                        out.append("  InstancePool ")
                                .append(instancePool.getMetadata().getName())
                                .append(" generation ")
                                .append(instancePool.getMetadata().getGeneration())
                                .append(" spec.size ")
                                .append(instancePool.getSpec().size)
                                .append(" userData ")
                                .append(instancePool.getSpec().userDataSecretName)
                                .append(" exists ")
                                .append(instancePool.getSpec().userDataSecretName != null
                                        && client.secrets()
                                                        .inNamespace(namespace)
                                                        .withName(instancePool.getSpec().userDataSecretName)
                                                        .get()
                                                != null)
                                .append(" status ")
                                .append(client.getKubernetesSerialization().asJson(instancePool.getStatus()))
                                .append('\n');
                    }
                }
                SKSCluster cluster = client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName(pool.getSpec().cluster)
                        .get();
                out.append("  cluster ")
                        .append(pool.getSpec().cluster)
                        .append(" state ")
                        .append(cluster == null || cluster.getStatus() == null ? null : cluster.getStatus().state)
                        .append('\n');
                client.v1().events().inNamespace(namespace).list().getItems().stream()
                        .filter(e -> e.getInvolvedObject()
                                .getName()
                                .startsWith(pool.getMetadata().getName()))
                        .forEach(e -> out.append("  event ")
                                .append(e.getLastTimestamp())
                                .append(' ')
                                .append(e.getInvolvedObject().getKind())
                                .append(' ')
                                .append(e.getReason())
                                .append(" x")
                                .append(e.getCount())
                                .append(": ")
                                .append(e.getMessage())
                                .append('\n'));
            }
        }
        return out.toString();
    }

    /** What the checks found and counted; {@code problems} is empty when nothing was lost or done twice. */
    record Report(
            int objectsChecked,
            int keptSecrets,
            int keptUnchanged,
            int kubeconfigsIssued,
            Map<String, Integer> byKind,
            List<String> problems) {
        String summary() {
            return "%d objects checked %s, %d of %d CA and service-account Secrets unchanged since first seen, %d kubeconfigs issued once, %d problems"
                    .formatted(objectsChecked, byKind, keptUnchanged, keptSecrets, kubeconfigsIssued, problems.size());
        }
    }

    /** No duplicate, no orphan, nothing kept changed, nothing issued twice (call {@link #observe} first). */
    Report check() {
        observe();
        List<String> problems = new ArrayList<>(changes);
        List<HasMetadata> objects = new ArrayList<>();
        for (String namespace : namespaces) {
            objects.addAll(managementObjects(namespace));
        }
        Set<String> live = new HashSet<>();
        objects.forEach(o -> live.add(o.getMetadata().getUid()));
        Map<String, HasMetadata> byUid = new LinkedHashMap<>();
        objects.forEach(o -> byUid.put(o.getMetadata().getUid(), o));

        Map<String, Integer> byKind = new TreeMap<>();
        // Owner UID -> the owned objects' kind and name, with the owner's name taken out, so every cluster (and every
        // pool, every request) must own the same shapes: a duplicate made under a generated name stands out.
        Map<String, List<String>> owned = new TreeMap<>();
        int checked = 0;
        for (HasMetadata object : objects) {
            if (isMadeByTheTest(object) || isMadeByKubernetes(object)) {
                continue;
            }
            checked++;
            byKind.merge(object.getKind(), 1, Integer::sum);
            List<OwnerReference> controllers = object.getMetadata().getOwnerReferences().stream()
                    .filter(o -> Boolean.TRUE.equals(o.getController()))
                    .toList();
            String what = object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                    + object.getMetadata().getName();
            if (controllers.size() != 1) {
                problems.add(what + " has " + controllers.size() + " controller owner references");
                continue;
            }
            OwnerReference owner = controllers.get(0);
            if (!live.contains(owner.getUid())) {
                problems.add(what + " is an orphan: its owner " + owner.getKind() + " " + owner.getName() + " ("
                        + owner.getUid() + ") is gone");
                continue;
            }
            owned.computeIfAbsent(owner.getUid(), k -> new ArrayList<>())
                    // The owner's UID out too: an InstancePool's name carries its Nodepool's UID.
                    .add(object.getKind() + "/"
                            + object.getMetadata()
                                    .getName()
                                    .replace(owner.getName(), "*")
                                    .replace(owner.getUid(), "<uid>"));
        }
        Map<String, List<String>> shapeByOwnerKind = new TreeMap<>();
        for (HasMetadata owner : objects) {
            if (!isMadeByTheTest(owner)) {
                continue;
            }
            List<String> shapes = owned.getOrDefault(owner.getMetadata().getUid(), List.of()).stream()
                    .sorted()
                    .toList();
            if (new HashSet<>(shapes).size() != shapes.size()) {
                problems.add(owner.getKind() + " " + owner.getMetadata().getName() + " owns duplicates: " + shapes);
            }
            List<String> first = shapeByOwnerKind.putIfAbsent(owner.getKind(), shapes);
            if (first != null && !first.equals(shapes)) {
                problems.add(owner.getKind() + " " + owner.getMetadata().getNamespace() + "/"
                        + owner.getMetadata().getName() + " owns " + shapes + " where the first of its kind owns "
                        + first);
            }
        }
        requireOwnedCount(shapeByOwnerKind, "SKSCluster", "StatefulSet/", 1, problems);
        requireOwnedCount(shapeByOwnerKind, "Nodepool", "InstancePool/", 1, problems);
        requireOwnedCount(shapeByOwnerKind, "KubeconfigRequest", "Secret/", 1, problems);
        int unchanged = (int) keptDigests.keySet().stream()
                .filter(k -> changes.stream().noneMatch(c -> c.contains(k)))
                .count();
        return new Report(checked, keptDigests.size(), unchanged, issuedSerials.size(), byKind, List.copyOf(problems));
    }

    private static void requireOwnedCount(
            Map<String, List<String>> shapes, String ownerKind, String prefix, int count, List<String> problems) {
        List<String> owned = shapes.get(ownerKind);
        long n = owned == null
                ? 0
                : owned.stream().filter(s -> s.startsWith(prefix)).count();
        if (n != count) {
            problems.add("each " + ownerKind + " owns " + n + " " + prefix + " objects, not " + count + ": " + owned);
        }
    }

    /** Every kind the operator makes in a cluster's namespace, and the test's own resources. */
    private List<HasMetadata> managementObjects(String namespace) {
        return Stream.<List<? extends HasMetadata>>of(
                        client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.resources(KubeconfigRequest.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.resources(InstancePool.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.secrets().inNamespace(namespace).list().getItems(),
                        client.configMaps().inNamespace(namespace).list().getItems(),
                        client.services().inNamespace(namespace).list().getItems(),
                        client.serviceAccounts().inNamespace(namespace).list().getItems(),
                        client.apps()
                                .deployments()
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.apps()
                                .statefulSets()
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.rbac().roles().inNamespace(namespace).list().getItems(),
                        client.rbac()
                                .roleBindings()
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.policy()
                                .v1beta1()
                                .podDisruptionBudget()
                                .inNamespace(namespace)
                                .list()
                                .getItems(),
                        client.leases().inNamespace(namespace).list().getItems())
                .flatMap(List::stream)
                .map(HasMetadata.class::cast)
                .toList();
    }

    private static boolean isMadeByTheTest(HasMetadata object) {
        return object instanceof SKSCluster || object instanceof Nodepool || object instanceof KubeconfigRequest;
    }

    /** What every namespace gets from Kubernetes itself (v1.20 still makes service-account token Secrets). */
    private static boolean isMadeByKubernetes(HasMetadata object) {
        String name = object.getMetadata().getName();
        return (object.getKind().equals("ServiceAccount") && name.equals("default"))
                || (object instanceof Secret secret && "kubernetes.io/service-account-token".equals(secret.getType()))
                || (object.getKind().equals("ConfigMap") && name.equals("kube-root-ca.crt"));
    }
}
