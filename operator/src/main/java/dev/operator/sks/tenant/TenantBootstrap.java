package dev.operator.sks.tenant;

import dev.operator.sks.addons.AddonInputs;
import dev.operator.sks.addons.AddonObjects;
import dev.operator.sks.addons.CloudController;
import dev.operator.sks.api.Addon;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.join.JoinMaterial;
import dev.operator.sks.join.JoinTokenStore;
import dev.operator.sks.join.JoinTokens;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.Digests;
import dev.operator.sks.support.SecretLookup;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes a tenant cluster ready for machines to join and for workloads to run: ensures the cluster's join token
 * (management side), then applies {@link TenantBootstrapObjects} and the cluster's addons ({@link AddonObjects}, for
 * the images of the version it runs) to the tenant with server-side apply, and removes the objects of the addons
 * {@code spec.addons} no longer names. A new version, CNI or addon list changes what is rendered, so it rolls out on
 * the next call. An object marked {@link Labels#CREATE_ONLY_ANNOTATION} (CoreDNS's Corefile) is created when absent
 * and otherwise left as the user made it.
 *
 * <p>Never slow when the tenant is away: it probes first ({@link TenantClients#PROBE_TIMEOUT}) and reports
 * {@link State#UNREACHABLE} rather than waiting on each object. It applies again only when what it would apply
 * changed (a token rotated, a new endpoint) or {@link #REAPPLY_INTERVAL} has passed, which repairs objects deleted in
 * the tenant without an API call on every reconcile.
 */
public final class TenantBootstrap {
    /** The field manager of everything the operator applies to tenants. */
    public static final Duration REAPPLY_INTERVAL = Duration.ofMinutes(10);
    /** How long a new CRD may take to be served: the API server establishes one within a second or so. */
    static final Duration CRD_ESTABLISHED_TIMEOUT = Duration.ofSeconds(30);

    public enum State {
        /** Everything is in the tenant (now, or by an apply recent enough). */
        APPLIED,
        /** Management-side material (CA, endpoint, version, admin kubeconfig) does not exist yet. */
        WAITING,
        /** The tenant API server does not answer. */
        UNREACHABLE,
        /** The tenant answered but refused an object. */
        FAILED
    }

    /**
     * What {@link #ensure} did; {@code reason} is CamelCase for a condition, {@code message} holds no secret.
     *
     * @param oldestKubelet the oldest kubelet among the tenant's Nodes when they were last listed (kept while the tenant
     *                      is away, so an unreachable tenant does not lift the version-skew check); empty without Nodes
     */
    public record Outcome(State state, String reason, String message, Optional<KubernetesVersion> oldestKubelet) {
        public Outcome(State state, String reason, String message) {
            this(state, reason, message, Optional.empty());
        }

        public boolean applied() {
            return state == State.APPLIED;
        }
    }

    private record Applied(String digest, Instant at) {}

    private final SecretLookup cache;
    private final KubernetesClient management;
    private final TenantClients tenants;
    private final JoinTokenStore tokens;
    private final VersionCatalog catalog;
    private final Clock clock;
    private final String provider;
    private final Map<ClusterKey, Applied> lastApplied = new ConcurrentHashMap<>();
    private final Map<ClusterKey, Optional<KubernetesVersion>> oldestKubelets = new ConcurrentHashMap<>();

    public TenantBootstrap(KubernetesClient management, TenantClients tenants, VersionCatalog catalog, Clock clock) {
        this(management, tenants, SecretLookup.live(management), catalog, clock);
    }

    public TenantBootstrap(
            KubernetesClient management,
            TenantClients tenants,
            SecretLookup cache,
            VersionCatalog catalog,
            Clock clock) {
        this(
                management,
                tenants,
                cache,
                catalog,
                clock,
                OperatorConfig.defaults().provider());
    }

    /**
     * @param cache    where the cluster's Secrets are read (the operator's informer): a retried tenant costs no GET
     * @param provider the compute provider the tenants' nodes run on ({@code SKS_PROVIDER}), for Calico's MTU
     */
    public TenantBootstrap(
            KubernetesClient management,
            TenantClients tenants,
            SecretLookup cache,
            VersionCatalog catalog,
            Clock clock,
            String provider) {
        this(management, tenants, cache, catalog, clock, provider, Sharding.NONE);
    }

    /** @param sharding the shard label of the join token Secret, when sharded */
    public TenantBootstrap(
            KubernetesClient management,
            TenantClients tenants,
            SecretLookup cache,
            VersionCatalog catalog,
            Clock clock,
            String provider,
            Sharding sharding) {
        this(management, tenants, new JoinTokenStore(management, cache, sharding), cache, catalog, clock, provider);
    }

    public TenantBootstrap(
            KubernetesClient management,
            TenantClients tenants,
            JoinTokenStore tokens,
            VersionCatalog catalog,
            Clock clock) {
        this(
                management,
                tenants,
                tokens,
                SecretLookup.live(management),
                catalog,
                clock,
                OperatorConfig.defaults().provider());
    }

    private TenantBootstrap(
            KubernetesClient management,
            TenantClients tenants,
            JoinTokenStore tokens,
            SecretLookup cache,
            VersionCatalog catalog,
            Clock clock,
            String provider) {
        this.provider = provider;
        this.cache = cache;
        this.management = management;
        this.tenants = tenants;
        this.tokens = tokens;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** Brings the tenant's join objects and addons up to date; never throws for an absent or failing tenant. */
    public Outcome ensure(SKSCluster cluster) {
        return ensure(TenantRequest.of(cluster));
    }

    /** As above, with the cloud-controller key the cluster reconciler stored. */
    public Outcome ensure(TenantRequest request) {
        SKSCluster cluster = request.cluster();
        ClusterKey key = ClusterKey.of(cluster);
        Optional<String> ca = JoinMaterial.clusterCaCertificate(cache, cluster);
        if (ca.isEmpty()) {
            return new Outcome(State.WAITING, "WaitingForCertificates", "the cluster CA does not exist yet");
        }
        String endpoint = cluster.getStatus() == null ? null : cluster.getStatus().endpoint;
        if (endpoint == null || endpoint.isBlank()) {
            return new Outcome(State.WAITING, "WaitingForEndpoint", "the cluster has no API endpoint yet");
        }
        Optional<KubernetesVersion> version = JoinMaterial.kubernetesVersion(cluster);
        if (version.isEmpty()) {
            return new Outcome(State.WAITING, "WaitingForVersion", "the cluster has no valid Kubernetes version");
        }
        Optional<KubernetesVersion> patch = catalog.resolve(version.get());
        if (patch.isEmpty()) {
            return new Outcome(
                    State.WAITING,
                    "WaitingForVersion",
                    "Kubernetes " + version.get() + " is not in the version catalog");
        }
        Instant now = clock.instant();
        JoinTokens joinTokens = tokens.ensureTokens(cluster, clock);
        ClusterModel model = ClusterModel.from(cluster, catalog);
        TenantBootstrapInputs inputs =
                TenantBootstrapInputs.of(model, endpoint, ca.get(), version.get(), joinTokens.validAt(now));
        Optional<Secret> cloudKey = model.addons().contains(Addon.CLOUD_CONTROLLER)
                ? cloudControllerKey(cluster, request.cloudControllerKey())
                : Optional.empty();
        AddonInputs addons = AddonInputs.of(model, patch.get(), endpoint)
                .onProvider(
                        provider,
                        cloudKey.map(s -> s.getMetadata().getAnnotations())
                                .map(a -> a.get(Labels.CCM_CREDENTIALS_KEY_ANNOTATION)));
        List<HasMetadata> objects = new ArrayList<>(TenantBootstrapObjects.render(inputs));
        objects.addAll(AddonObjects.render(addons));
        cloudKey.flatMap(secret -> CloudController.credentialsSecret(addons)
                        .map(name -> TenantBootstrapObjects.cloudControllerCredentials(name, secret.getData())))
                .ifPresent(objects::add);
        List<HasMetadata> removed = AddonObjects.removed(addons);
        String digest = digest(management, objects, removed);
        Applied previous = lastApplied.get(key);
        if (previous != null
                && previous.digest().equals(digest)
                && now.isBefore(previous.at().plus(REAPPLY_INTERVAL))) {
            return new Outcome(
                    State.APPLIED,
                    "Applied",
                    "join objects and addons are up to date in the tenant cluster",
                    oldestKubelet(key));
        }

        Optional<KubernetesClient> tenant;
        try {
            tenant = tenants.client(key);
        } catch (IllegalStateException e) {
            return new Outcome(State.FAILED, "KubeconfigUnreadable", e.getMessage());
        }
        if (tenant.isEmpty()) {
            return new Outcome(State.WAITING, "WaitingForKubeconfig", "the cluster has no admin kubeconfig yet");
        }
        TenantProbe probe = TenantClients.probeClient(tenant.get());
        if (!probe.reachable()) {
            return new Outcome(State.UNREACHABLE, "TenantUnreachable", probe.message(), oldestKubelet(key));
        }
        try {
            oldestKubelets.put(
                    key, KubeletVersions.oldest(tenant.get().nodes().list().getItems()));
        } catch (KubernetesClientException e) {
            // The last reading stands: a failing list must not lift the skew check, and what follows reports the
            // tenant.
        }
        HasMetadata current = null;
        try {
            for (HasMetadata object : objects) {
                current = object;
                apply(tenant.get(), List.of(object));
            }
            current = null;
            deleteManaged(tenant.get(), removed);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 0) { // no HTTP answer: connection lost or timed out mid-way
                return new Outcome(
                        State.UNREACHABLE,
                        "TenantUnreachable",
                        "the tenant API server stopped answering ("
                                + e.getClass().getSimpleName() + ")",
                        oldestKubelet(key));
            }
            // The object and the server's reason (a field path, never a value of a Secret) say what to fix.
            String what = current == null
                    ? "a removal"
                    : current.getKind() + " "
                            + (current.getMetadata().getNamespace() == null
                                    ? ""
                                    : current.getMetadata().getNamespace() + "/")
                            + current.getMetadata().getName();
            String why = e.getCode() < 100
                    ? " ("
                            + (e.getCause() == null
                                    ? e.getMessage()
                                    : e.getCause().toString()) + ")"
                    : e.getStatus() == null
                            ? ""
                            : (e.getStatus().getReason() == null
                                            ? ""
                                            : " " + e.getStatus().getReason())
                                    + (e.getStatus().getMessage() == null || current instanceof Secret
                                            ? ""
                                            : ": " + e.getStatus().getMessage());
            return new Outcome(
                    State.FAILED,
                    "ApplyFailed",
                    "the tenant API server refused " + what + ": HTTP " + e.getCode() + why,
                    oldestKubelet(key));
        }
        lastApplied.put(key, new Applied(digest, now));
        return new Outcome(
                State.APPLIED, "Applied", "join objects and addons applied to the tenant cluster", oldestKubelet(key));
    }

    /**
     * The cloud controller's own credentials, which the cluster reconciler keeps in {@code <cluster>-ccm-credentials}
     * (copied as the tenant's {@link CloudController#credentialsSecret}): only from a Secret the cluster controls.
     */
    private Optional<Secret> cloudControllerKey(SKSCluster cluster, Optional<String> expectedKey) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = Names.ccmCredentials(cluster.getMetadata().getName());
        Optional<Secret> cached = cache.find(namespace, name);
        // Just rotated: the informer may not have the new key yet, and the old one is about to be revoked.
        boolean stale = expectedKey.isPresent()
                && !expectedKey.equals(cached.map(s -> s.getMetadata().getAnnotations())
                        .map(a -> a.get(Labels.CCM_CREDENTIALS_KEY_ANNOTATION)));
        return (stale ? SecretLookup.live(management).find(namespace, name) : cached)
                .filter(secret -> Owners.isControlledBy(secret, cluster))
                .filter(secret -> secret.getData() != null && !secret.getData().isEmpty());
    }

    private Optional<KubernetesVersion> oldestKubelet(ClusterKey key) {
        return oldestKubelets.getOrDefault(key, Optional.empty());
    }

    /**
     * Forgets what was kept of a cluster (what was applied, its oldest kubelet): when it is deleted, or so the next
     * {@link #ensure} applies (say, after a tenant reset).
     */
    public void forget(String namespace, String cluster) {
        lastApplied.remove(new ClusterKey(namespace, cluster));
        oldestKubelets.remove(new ClusterKey(namespace, cluster));
    }

    /**
     * Server-side applies each object as {@link Labels#FIELD_MANAGER}, taking over fields another manager set (kubeadm
     * ran by hand, say). Idempotent: applying the same objects again changes nothing, not even resourceVersions.
     *
     * <p>Two exceptions. An object marked {@link Labels#CREATE_ONLY_ANNOTATION} is created when absent and never
     * changed after, whoever changed it. A CustomResourceDefinition is waited for until the API server serves its
     * kind (at most {@link #CRD_ESTABLISHED_TIMEOUT}, on its first apply only), so the objects of that kind applied
     * next (Calico's IPPool) are not refused as unknown.
     *
     * @throws KubernetesClientException when the tenant refuses an object or does not answer
     */
    public static void apply(KubernetesClient tenant, List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            if (createOnly(object)) {
                try {
                    tenant.resource(object).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) { // 409: it exists, and is the user's now
                        throw e;
                    }
                }
            } else if (object instanceof CustomResourceDefinition) {
                CustomResourceDefinition applied = (CustomResourceDefinition) tenant.resource(object)
                        .fieldManager(Labels.FIELD_MANAGER)
                        .forceConflicts()
                        .serverSideApply();
                if (!established(applied)) {
                    try {
                        tenant.apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .withName(object.getMetadata().getName())
                                .waitUntilCondition(
                                        TenantBootstrap::established,
                                        CRD_ESTABLISHED_TIMEOUT.toMillis(),
                                        TimeUnit.MILLISECONDS);
                    } catch (KubernetesClientTimeoutException e) {
                        // An answering server that does not serve the kind: a refusal to report, not an absent tenant.
                        throw new KubernetesClientException(new StatusBuilder()
                                .withCode(504)
                                .withReason("NotEstablished")
                                .withMessage("not served within " + CRD_ESTABLISHED_TIMEOUT.toSeconds()
                                        + " s; its conditions say why")
                                .build());
                    }
                }
            } else if (object instanceof GenericKubernetesResource && "APIService".equals(object.getKind())) {
                // kube-apiserver 1.20's aggregator fails server-side apply of APIServices (the stream is reset with an
                // internal error); create-or-update is as idempotent: an unchanged update keeps the resourceVersion.
                tenant.resource(object).createOr(NonDeletingOperation::update);
            } else {
                tenant.resource(object)
                        .fieldManager(Labels.FIELD_MANAGER)
                        .forceConflicts()
                        .serverSideApply();
            }
        }
    }

    /**
     * Deletes those of {@code objects} that exist in the tenant and carry the operator's managed-by label: an addon the
     * user installed under the same names, never enabled here, is left alone. Absent objects (or kinds) are skipped.
     *
     * @throws KubernetesClientException when the tenant refuses or does not answer
     */
    public static void deleteManaged(KubernetesClient tenant, List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            HasMetadata current;
            try {
                current = tenant.resource(object).get();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) { // the kind itself is not served
                    continue;
                }
                throw e;
            }
            Map<String, String> labels =
                    current == null ? null : current.getMetadata().getLabels();
            if (labels != null && Labels.MANAGED_BY_VALUE.equals(labels.get(Labels.MANAGED_BY))) {
                tenant.resource(object).delete();
            }
        }
    }

    static boolean createOnly(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations != null && Labels.CREATE_ONLY_VALUE.equals(annotations.get(Labels.CREATE_ONLY_ANNOTATION));
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String digest(KubernetesClient client, List<HasMetadata> objects, List<HasMetadata> removed) {
        StringBuilder text = new StringBuilder();
        for (HasMetadata object : objects) {
            text.append(client.getKubernetesSerialization().asJson(object)).append('\n');
        }
        for (HasMetadata object : removed) {
            text.append("delete ")
                    .append(object.getApiVersion())
                    .append(' ')
                    .append(object.getKind())
                    .append(' ')
                    .append(object.getMetadata().getNamespace())
                    .append('/')
                    .append(object.getMetadata().getName())
                    .append('\n');
        }
        return Digests.sha256Hex(text.toString());
    }
}
