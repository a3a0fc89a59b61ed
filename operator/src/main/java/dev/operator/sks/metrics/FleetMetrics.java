package dev.operator.sks.metrics;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterAuthorityExpiry;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place for the operator's own metric names, and the per-resource series computed from the status the
 * operator already caches: pure, so what a scrape shows is tested without a server.
 *
 * <p>Series carry {@code namespace} and {@code name} of the resource (nodepools also their {@code cluster}), never a
 * user, group or key; every other label takes values from a closed set (states, versions of the catalog). A resource
 * that is gone from the cache is gone from the next scrape: nothing is remembered between scrapes.
 */
public final class FleetMetrics {
    // Per cluster.
    public static final String CLUSTER_READY = "sks_cluster_ready";
    public static final String CLUSTER_STATE = "sks_cluster_state";
    /** Exposed as {@code sks_cluster_version_info}: Prometheus reserves the {@code _info} suffix for info metrics. */
    public static final String CLUSTER_VERSION = "sks_cluster_version";

    public static final String CLUSTER_VERSION_INFO = CLUSTER_VERSION + "_info";
    public static final String CLUSTER_MINORS_BEHIND = "sks_cluster_version_minors_behind";
    public static final String CLUSTER_CA_EXPIRY = "sks_cluster_ca_expiry_timestamp_seconds";
    public static final String CLUSTER_CERTIFICATE_EXPIRY = "sks_cluster_certificate_expiry_timestamp_seconds";
    /** Per cluster and CA kind ({@code certificate}: cluster-ca, etcd-ca, front-proxy-ca, clients-ca), never per leaf. */
    public static final String CERTIFICATE_EXPIRY = "sks_certificate_expiry_timestamp_seconds";

    public static final String CLUSTER_TENANT_REACHABLE = "sks_cluster_tenant_reachable";
    public static final String CLUSTER_ETCD_MEMBERS = "sks_cluster_etcd_members";
    public static final String CLUSTER_ETCD_LEARNERS = "sks_cluster_etcd_learners";
    public static final String CLUSTER_CONTROL_PLANE_SIZE = "sks_cluster_control_plane_size";
    public static final String CLUSTER_ETCD_DB_SIZE = "sks_cluster_etcd_db_size_bytes";
    public static final String CLUSTER_ETCD_DB_SIZE_IN_USE = "sks_cluster_etcd_db_size_in_use_bytes";
    public static final String ETCD_BACKUP_LAST_SUCCESS = "sks_etcd_backup_last_success_timestamp_seconds";
    public static final String ETCD_BACKUP_DURATION = "sks_etcd_backup_duration_seconds";
    public static final String ETCD_BACKUP_SIZE = "sks_etcd_backup_size_bytes";
    // Per nodepool and instance pool.
    public static final String NODEPOOL_READY = "sks_nodepool_ready";
    public static final String NODEPOOL_STATE = "sks_nodepool_state";
    public static final String NODEPOOL_DESIRED_SIZE = "sks_nodepool_desired_size";
    public static final String NODEPOOL_SIZE = "sks_nodepool_size";
    public static final String NODEPOOL_READY_NODES = "sks_nodepool_ready_nodes";
    public static final String INSTANCEPOOL_INSTANCES = "sks_instancepool_instances";
    // Per kubeconfig request.
    public static final String KUBECONFIG_READY = "sks_kubeconfigrequest_ready";
    public static final String KUBECONFIG_EXPIRY = "sks_kubeconfigrequest_expiry_timestamp_seconds";
    // Aggregated kubeconfig meters (Micrometer names; KubeconfigMetrics keeps them): sks_kubeconfigs_issued_total and
    // sks_kubeconfigs_expiring_soon.
    public static final String KUBECONFIGS_ISSUED = "sks.kubeconfigs.issued";
    public static final String KUBECONFIGS_EXPIRING_SOON = "sks.kubeconfigs.expiring.soon";
    // The operator (Micrometer meters; Micrometer names, then what Prometheus shows).
    public static final String LEADER = "sks.operator.leader";
    public static final String LEADER_PROMETHEUS = "sks_operator_leader";
    public static final String RECONCILE_ERRORS = "sks.reconcile.errors";
    public static final String RECONCILE_ERRORS_PROMETHEUS = "sks_reconcile_errors_total";
    public static final String TIME_TO_READY = "sks.cluster.time.to.ready";
    public static final String TIME_TO_READY_PROMETHEUS = "sks_cluster_time_to_ready_seconds";

    /** A cluster with no status yet: not one of {@link ClusterState}, which only the operator writes. */
    static final String PENDING = "Pending";
    /** Instance states as providers report them ({@link Instance#state}); anything else counts as Other. */
    static final List<String> INSTANCE_STATES = List.of("Starting", "Running", "Stopping", "Failed");

    static final String OTHER = "Other";

    /** The values of {@link #CERTIFICATE_EXPIRY}'s {@code certificate} label. */
    static final Set<String> CERTIFICATE_KINDS = Set.of("cluster-ca", "etcd-ca", "front-proxy-ca", "clients-ca");

    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry(CLUSTER_READY, "1 when the SKSCluster's Ready condition is True, else 0"),
            Map.entry(CLUSTER_STATE, "1 for the SKSCluster's status.state (Pending before it has a status)"),
            Map.entry(
                    CLUSTER_VERSION,
                    "The Kubernetes patch an SKSCluster runs (version) and the newest it may move to (available; "
                            + "the same when there is none)"),
            Map.entry(
                    CLUSTER_MINORS_BEHIND,
                    "Minor versions between what an SKSCluster runs and the newest minor of the catalog"),
            Map.entry(CLUSTER_CA_EXPIRY, "When the first certificate authority of an SKSCluster expires"),
            Map.entry(
                    CLUSTER_CERTIFICATE_EXPIRY,
                    "When the first control-plane certificate of an SKSCluster expires (renewed with a third left)"),
            Map.entry(
                    CERTIFICATE_EXPIRY,
                    "When each certificate authority of an SKSCluster (label certificate: cluster-ca, etcd-ca, "
                            + "front-proxy-ca, clients-ca) expires; the one that signs during a rotation"),
            Map.entry(
                    CLUSTER_TENANT_REACHABLE,
                    "1 when the operator reached the SKSCluster's API server, 0 when it could not; absent while "
                            + "probing or before the control plane runs"),
            Map.entry(CLUSTER_ETCD_MEMBERS, "etcd members of an SKSCluster, learners included"),
            Map.entry(CLUSTER_ETCD_LEARNERS, "etcd members of an SKSCluster that are non-voting learners"),
            Map.entry(CLUSTER_CONTROL_PLANE_SIZE, "1 for the size a pro SKSCluster's control plane runs at"),
            Map.entry(
                    CLUSTER_ETCD_DB_SIZE,
                    "Bytes of the largest etcd db file among an SKSCluster's members, as its maintenance last found "
                            + "(etcd's quota applies to it)"),
            Map.entry(
                    CLUSTER_ETCD_DB_SIZE_IN_USE,
                    "Bytes holding data in the fullest etcd db among an SKSCluster's members; the rest of the file is "
                            + "free pages a defragmentation gives back"),
            Map.entry(ETCD_BACKUP_LAST_SUCCESS, "When the last successful etcd backup of an SKSCluster was taken"),
            Map.entry(ETCD_BACKUP_DURATION, "How long the last successful etcd backup of an SKSCluster took"),
            Map.entry(ETCD_BACKUP_SIZE, "Size of the last successful etcd snapshot of an SKSCluster"),
            Map.entry(NODEPOOL_READY, "1 when the Nodepool's Ready condition is True, else 0"),
            Map.entry(NODEPOOL_STATE, "1 for the Nodepool's status.state (Pending before it has one)"),
            Map.entry(NODEPOOL_DESIRED_SIZE, "Instances a Nodepool asks for (spec.size)"),
            Map.entry(NODEPOOL_SIZE, "Instances of a Nodepool that exist (status.size)"),
            Map.entry(NODEPOOL_READY_NODES, "Instances of a Nodepool whose Node is Ready (status.readyNodes)"),
            Map.entry(INSTANCEPOOL_INSTANCES, "Instances of an InstancePool by the state its provider reports"),
            Map.entry(KUBECONFIG_READY, "1 when the KubeconfigRequest's Ready condition is True, else 0"),
            Map.entry(KUBECONFIG_EXPIRY, "When the certificate of a KubeconfigRequest's kubeconfig expires"));

    private FleetMetrics() {}

    /** What the operator's caches hold when scraped. */
    public record Fleet(
            List<SKSCluster> clusters,
            List<Nodepool> nodepools,
            List<KubeconfigRequest> kubeconfigRequests,
            List<InstancePool> instancePools) {}

    /** One series: a gauge, or (info) a gauge of value 1 whose labels are the information. */
    public record Series(String metric, Map<String, String> labels, double value, boolean info) {}

    public static String help(String metric) {
        return HELP.getOrDefault(metric, metric);
    }

    /** Every per-resource series of {@code fleet}, grouped by metric in the order of the constants above. */
    public static List<Series> series(Fleet fleet, VersionCatalog catalog) {
        List<Series> out = new ArrayList<>();
        Optional<KubernetesVersion> newestMinor =
                catalog.supportedMinors().stream().reduce((a, b) -> b.compareTo(a) > 0 ? b : a);
        for (SKSCluster cluster : fleet.clusters()) {
            cluster(cluster, newestMinor, out);
        }
        for (Nodepool pool : fleet.nodepools()) {
            nodepool(pool, out);
        }
        for (InstancePool pool : fleet.instancePools()) {
            instancePool(pool, out);
        }
        for (KubeconfigRequest request : fleet.kubeconfigRequests()) {
            kubeconfigRequest(request, out);
        }
        return out;
    }

    private static void cluster(SKSCluster cluster, Optional<KubernetesVersion> newestMinor, List<Series> out) {
        SKSClusterStatus status = cluster.getStatus();
        List<Condition> conditions = status == null ? List.of() : status.conditions;
        out.add(gauge(CLUSTER_READY, id(cluster), Conditions.isTrue(conditions, Conditions.READY) ? 1 : 0));
        String state = status == null || status.state == null ? PENDING : status.state.name();
        out.add(gauge(CLUSTER_STATE, with(id(cluster), "state", state), 1));
        if (status == null) {
            return;
        }
        Optional<KubernetesVersion> running =
                Optional.ofNullable(status.version).flatMap(KubernetesVersion::parse);
        if (running.isPresent()) {
            String available = status.availableUpgrades == null
                    ? running.get().toString()
                    : status.availableUpgrades.stream()
                            .map(KubernetesVersion::parse)
                            .flatMap(Optional::stream)
                            .filter(v -> v.compareTo(running.get()) > 0)
                            .reduce((a, b) -> b.compareTo(a) > 0 ? b : a)
                            .orElse(running.get())
                            .toString();
            Map<String, String> labels =
                    with(id(cluster), "version", running.get().toString());
            labels.put("available", available);
            out.add(new Series(CLUSTER_VERSION, labels, 1, true));
            newestMinor
                    .filter(n -> n.major() == running.get().major())
                    .ifPresent(n -> out.add(
                            gauge(CLUSTER_MINORS_BEHIND, id(cluster), Math.max(0, n.minorsAheadOf(running.get())))));
        }
        if (status.certificates != null) {
            timestamp(status.certificates.caExpirationTime)
                    .ifPresent(t -> out.add(gauge(CLUSTER_CA_EXPIRY, id(cluster), t)));
            timestamp(status.certificates.expirationTime)
                    .ifPresent(t -> out.add(gauge(CLUSTER_CERTIFICATE_EXPIRY, id(cluster), t)));
            if (status.certificates.authorities != null) {
                for (SKSClusterAuthorityExpiry authority : status.certificates.authorities) {
                    if (authority.name == null || !CERTIFICATE_KINDS.contains(authority.name)) {
                        continue; // a closed set of label values, whatever status holds
                    }
                    Map<String, String> labels = new LinkedHashMap<>();
                    labels.put("namespace", cluster.getMetadata().getNamespace());
                    labels.put("cluster", cluster.getMetadata().getName());
                    labels.put("certificate", authority.name);
                    timestamp(authority.expirationTime).ifPresent(t -> out.add(gauge(CERTIFICATE_EXPIRY, labels, t)));
                }
            }
        }
        Conditions.find(conditions, Conditions.TENANT_REACHABLE)
                .filter(c -> !Conditions.UNKNOWN.equals(c.getStatus()))
                .ifPresent(c -> out.add(
                        gauge(CLUSTER_TENANT_REACHABLE, id(cluster), Conditions.TRUE.equals(c.getStatus()) ? 1 : 0)));
        if (status.etcd != null && status.etcd.members != null) {
            out.add(gauge(CLUSTER_ETCD_MEMBERS, id(cluster), status.etcd.members));
            out.add(gauge(CLUSTER_ETCD_LEARNERS, id(cluster), status.etcd.learners == null ? 0 : status.etcd.learners));
        }
        if (status.controlPlane != null && status.controlPlane.size != null) {
            out.add(gauge(CLUSTER_CONTROL_PLANE_SIZE, with(id(cluster), "size", status.controlPlane.size.name()), 1));
        }
        if (status.etcd != null && status.etcd.memberStatus != null) {
            // Cluster labels only: members come and go with growth, and the largest is what meets the quota first.
            status.etcd.memberStatus.stream()
                    .map(m -> m.dbSizeBytes)
                    .filter(java.util.Objects::nonNull)
                    .max(Long::compare)
                    .ifPresent(size -> out.add(gauge(CLUSTER_ETCD_DB_SIZE, id(cluster), size)));
            status.etcd.memberStatus.stream()
                    .map(m -> m.dbSizeInUseBytes)
                    .filter(java.util.Objects::nonNull)
                    .max(Long::compare)
                    .ifPresent(size -> out.add(gauge(CLUSTER_ETCD_DB_SIZE_IN_USE, id(cluster), size)));
        }
        if (status.backup != null) {
            timestamp(status.backup.lastSuccessTime)
                    .ifPresent(t -> out.add(gauge(ETCD_BACKUP_LAST_SUCCESS, id(cluster), t)));
            if (status.backup.lastDurationSeconds != null) {
                out.add(gauge(ETCD_BACKUP_DURATION, id(cluster), status.backup.lastDurationSeconds));
            }
            if (status.backup.lastSize != null) {
                out.add(gauge(ETCD_BACKUP_SIZE, id(cluster), status.backup.lastSize));
            }
        }
    }

    private static void nodepool(Nodepool pool, List<Series> out) {
        Map<String, String> labels = id(pool);
        String cluster = pool.getStatus() != null && pool.getStatus().cluster != null
                ? pool.getStatus().cluster
                : pool.getSpec() == null || pool.getSpec().cluster == null ? "" : pool.getSpec().cluster;
        labels.put("cluster", cluster);
        List<Condition> conditions = pool.getStatus() == null ? List.of() : pool.getStatus().conditions;
        out.add(gauge(NODEPOOL_READY, labels, Conditions.isTrue(conditions, Conditions.READY) ? 1 : 0));
        PoolState state = pool.getStatus() == null ? null : pool.getStatus().state;
        out.add(gauge(NODEPOOL_STATE, with(labels, "state", state == null ? PENDING : state.name()), 1));
        if (pool.getSpec() != null && pool.getSpec().size != null) {
            out.add(gauge(NODEPOOL_DESIRED_SIZE, labels, pool.getSpec().size));
        }
        out.add(gauge(
                NODEPOOL_SIZE,
                labels,
                pool.getStatus() == null || pool.getStatus().size == null ? 0 : pool.getStatus().size));
        out.add(gauge(
                NODEPOOL_READY_NODES,
                labels,
                pool.getStatus() == null || pool.getStatus().readyNodes == null ? 0 : pool.getStatus().readyNodes));
    }

    /** Every known state, zeros included, so a graph of a state does not break off; unknown ones as Other. */
    private static void instancePool(InstancePool pool, List<Series> out) {
        Map<String, Integer> byState = new LinkedHashMap<>();
        INSTANCE_STATES.forEach(s -> byState.put(s, 0));
        List<Instance> instances = pool.getStatus() == null ? List.of() : pool.getStatus().instances;
        for (Instance instance : instances == null ? List.<Instance>of() : instances) {
            String state = INSTANCE_STATES.contains(instance.state) ? instance.state : OTHER;
            byState.merge(state, 1, Integer::sum);
        }
        byState.forEach(
                (state, count) -> out.add(gauge(INSTANCEPOOL_INSTANCES, with(id(pool), "state", state), count)));
    }

    private static void kubeconfigRequest(KubeconfigRequest request, List<Series> out) {
        List<Condition> conditions = request.getStatus() == null ? List.of() : request.getStatus().conditions;
        out.add(gauge(KUBECONFIG_READY, id(request), Conditions.isTrue(conditions, Conditions.READY) ? 1 : 0));
        if (request.getStatus() != null) {
            timestamp(request.getStatus().expirationTime)
                    .ifPresent(t -> out.add(gauge(KUBECONFIG_EXPIRY, id(request), t)));
        }
    }

    /** The metrics {@link #series} may produce (as Prometheus shows them), for those who check names. */
    public static Set<String> seriesNames() {
        return Set.of(
                CLUSTER_READY,
                CLUSTER_STATE,
                CLUSTER_VERSION_INFO,
                CLUSTER_MINORS_BEHIND,
                CLUSTER_CA_EXPIRY,
                CLUSTER_CERTIFICATE_EXPIRY,
                CERTIFICATE_EXPIRY,
                CLUSTER_TENANT_REACHABLE,
                CLUSTER_ETCD_MEMBERS,
                CLUSTER_ETCD_LEARNERS,
                CLUSTER_CONTROL_PLANE_SIZE,
                ETCD_BACKUP_LAST_SUCCESS,
                ETCD_BACKUP_DURATION,
                ETCD_BACKUP_SIZE,
                NODEPOOL_READY,
                NODEPOOL_STATE,
                NODEPOOL_DESIRED_SIZE,
                NODEPOOL_SIZE,
                NODEPOOL_READY_NODES,
                INSTANCEPOOL_INSTANCES,
                KUBECONFIG_READY,
                KUBECONFIG_EXPIRY);
    }

    private static Optional<Double> timestamp(String rfc3339) {
        if (rfc3339 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of((double) Instant.parse(rfc3339).getEpochSecond());
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }

    private static Series gauge(String metric, Map<String, String> labels, double value) {
        return new Series(metric, labels, value, false);
    }

    private static Map<String, String> id(HasMetadata resource) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", resource.getMetadata().getNamespace());
        labels.put("name", resource.getMetadata().getName());
        return labels;
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(key, value);
        return copy;
    }
}
