package dev.operator.sks.join;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one call an instance pool needs for its machines to join: ensures the cluster's join token and writes the
 * pool's user-data Secret. It depends only on management-side state (the cluster's CA Secret, endpoint and version),
 * never on the tenant API, so pools can be created while the tenant control plane is still starting.
 */
public final class JoinMaterial {
    /** What {@link #ensureUserData} did. */
    public sealed interface Outcome permits Ready, Waiting, Conflicting {}

    /** The user-data Secret is current; {@code changed} when this call wrote it. */
    public record Ready(String secretName, boolean changed, String digest) implements Outcome {}

    /** Something the user-data needs does not exist yet; {@code reason} is CamelCase, for a condition. */
    public record Waiting(String reason, String message) implements Outcome {}

    /**
     * A Secret this needs (the pool's user-data, the cluster's join token) exists and was not made for its owner: it is
     * left untouched and nothing is rendered; {@code message} says which and what to do.
     */
    public record Conflicting(NameConflict conflict, String message) implements Outcome {
        public String reason() {
            return NameConflict.REASON;
        }
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final JoinTokenStore tokens;
    private final UserDataSecrets secrets;
    private final SecretLookup cache;

    public JoinMaterial(KubernetesClient management, Clock clock) {
        this(management, clock, SecretLookup.live(management));
    }

    /** @param cache where the cluster's Secrets are read first (the operator's informer); writes read afresh */
    public JoinMaterial(KubernetesClient management, Clock clock, SecretLookup cache) {
        this(management, clock, cache, Sharding.NONE);
    }

    /** @param sharding the shard label the Secrets written carry, when sharded */
    public JoinMaterial(KubernetesClient management, Clock clock, SecretLookup cache, Sharding sharding) {
        this(management, clock, new JoinTokenStore(management, cache, sharding), cache, sharding);
    }

    public JoinMaterial(KubernetesClient management, Clock clock, JoinTokenStore tokens) {
        this(management, clock, tokens, SecretLookup.live(management), Sharding.NONE);
    }

    private JoinMaterial(
            KubernetesClient management, Clock clock, JoinTokenStore tokens, SecretLookup cache, Sharding sharding) {
        this.cache = cache;
        this.client = management;
        this.clock = clock;
        this.tokens = tokens;
        this.secrets = new UserDataSecrets(management, cache, sharding);
    }

    /**
     * For a Nodepool whose status already has its id and instance pool name; the Secret is owned by {@code owner}.
     * Labels and taints come from the Nodepool's spec: callers serving a refused spec pass the served ones below.
     */
    public Outcome ensureUserData(SKSCluster cluster, Nodepool nodepool, OwnerReference owner) {
        var status = nodepool.getStatus();
        if (status == null || status.id == null || status.instancePool == null) {
            return new Waiting("NodepoolIdMissing", "the Nodepool has no status.id and status.instancePool yet");
        }
        return ensureUserData(
                cluster,
                status.instancePool,
                status.id,
                Defaults.labels(nodepool.getSpec()),
                Defaults.taints(nodepool.getSpec()),
                owner);
    }

    /** For an image the version catalog says nothing about: the machine installs what it lacks. */
    public Outcome ensureUserData(
            SKSCluster cluster,
            String instancePool,
            String nodepoolId,
            Map<String, String> labels,
            List<NodepoolTaint> taints,
            OwnerReference owner) {
        return ensureUserData(cluster, instancePool, nodepoolId, labels, taints, owner, false);
    }

    /**
     * @param cluster      the SKSCluster as read from the API server (uid, status)
     * @param instancePool the InstancePool's name; the Secret is {@code Names.userData(instancePool)}
     * @param nodepoolId   the Nodepool's id, a label on every node
     * @param owner        the owner reference the Secret carries (the InstancePool's)
     * @param imageBakedIn the version catalog says the pool's image carries containerd, kubelet and kubeadm of the
     *                     cluster's minor: the user-data installs nothing
     */
    public Outcome ensureUserData(
            SKSCluster cluster,
            String instancePool,
            String nodepoolId,
            Map<String, String> labels,
            List<NodepoolTaint> taints,
            OwnerReference owner,
            boolean imageBakedIn) {
        return ensureUserData(cluster, instancePool, nodepoolId, labels, taints, owner, imageBakedIn, null);
    }

    /**
     * @param revision the machine revision the pool's spec names, recorded on the Secret: the pool boots only from
     *                 user-data of its own revision (null: none recorded)
     */
    public Outcome ensureUserData(
            SKSCluster cluster,
            String instancePool,
            String nodepoolId,
            Map<String, String> labels,
            List<NodepoolTaint> taints,
            OwnerReference owner,
            boolean imageBakedIn,
            String revision) {
        String name = cluster.getMetadata().getName();
        String namespace = cluster.getMetadata().getNamespace();
        Optional<String> ca = clusterCaCertificate(cache, cluster);
        if (ca.isEmpty()) {
            return new Waiting(
                    "WaitingForCertificates",
                    "the cluster CA (Secret " + Names.clusterCa(name) + ") does not exist yet");
        }
        Optional<String> endpoint = apiServerHostPort(cluster);
        if (endpoint.isEmpty()) {
            return new Waiting("WaitingForEndpoint", "the cluster has no API endpoint yet (status.endpoint)");
        }
        // A patch: machines install exactly that one. The cluster resolves a minor to its patch in status.version.
        Optional<KubernetesVersion> version = kubernetesVersion(cluster).filter(KubernetesVersion::isPatch);
        if (version.isEmpty()) {
            return new Waiting("WaitingForVersion", "the cluster has no Kubernetes patch version yet (status.version)");
        }
        BootstrapToken token;
        try {
            token = tokens.ensure(cluster, clock);
        } catch (NameConflictException e) {
            return new Conflicting(e.conflict(), e.conflict().message(cluster));
        }
        JoinParameters parameters = new JoinParameters(
                name,
                endpoint.get(),
                ca.get(),
                token,
                version.get(),
                nodepoolId,
                labels,
                taints,
                clusterDns(cluster.getSpec()),
                Defaults.dnsDomain(cluster.getSpec()),
                imageBakedIn);
        try {
            UserDataSecrets.Written written =
                    secrets.write(namespace, name, instancePool, owner, UserDataRenderer.render(parameters), revision);
            return new Ready(written.secretName(), written.changed(), written.digest());
        } catch (NameConflictException e) {
            return new Conflicting(e.conflict(), e.conflict().message(referenced(owner, namespace)));
        }
    }

    /** The object an owner reference points at, as far as a message needs it (kind and name). */
    private static HasMetadata referenced(OwnerReference owner, String namespace) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withNewMetadata()
                .withName(owner.getName())
                .withNamespace(namespace)
                .withUid(owner.getUid())
                .endMetadata()
                .build();
    }

    /**
     * The cluster CA certificate (tls.crt of {@link Names#clusterCa}), from a Secret the cluster controls only: nodes
     * pin it, so a same-named Secret someone else made must never reach them. The key next to it is never decoded.
     */
    public static Optional<String> clusterCaCertificate(SecretLookup secrets, SKSCluster cluster) {
        return secrets.find(
                        cluster.getMetadata().getNamespace(),
                        Names.clusterCa(cluster.getMetadata().getName()))
                .filter(secret -> Owners.isControlledBy(secret, cluster))
                // The trust bundle (during a rotation old and new CA, the signing one first); tls.crt before bundles.
                .flatMap(secret -> BootstrapTokens.decode(secret.getData(), Names.CA_CERTIFICATE_KEY)
                        .or(() -> BootstrapTokens.decode(secret.getData(), Names.TLS_CERTIFICATE_KEY)))
                .filter(pem -> pem.contains("-----BEGIN CERTIFICATE-----"));
    }

    /** {@code host:port} of the cluster's endpoint ({@code status.endpoint}, {@code https://host:port}). */
    public static Optional<String> apiServerHostPort(SKSCluster cluster) {
        String endpoint = cluster.getStatus() == null ? null : cluster.getStatus().endpoint;
        if (endpoint == null || endpoint.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(endpoint);
            if (uri.getHost() == null) {
                return Optional.empty();
            }
            int port = uri.getPort() == -1 ? 443 : uri.getPort();
            return Optional.of(uri.getHost() + ":" + port); // an IPv6 host keeps its brackets in getHost()
        } catch (IllegalArgumentException notAUri) {
            return Optional.empty();
        }
    }

    /** The version that runs ({@code status.version}), else the one asked for. */
    public static Optional<KubernetesVersion> kubernetesVersion(SKSCluster cluster) {
        Optional<KubernetesVersion> running =
                cluster.getStatus() == null ? Optional.empty() : KubernetesVersion.parse(cluster.getStatus().version);
        return running.or(() ->
                cluster.getSpec() == null ? Optional.empty() : KubernetesVersion.parse(cluster.getSpec().version));
    }

    /** The cluster DNS Service IP: the service CIDR's tenth address, as kubeadm and CoreDNS's Service choose it. */
    public static String clusterDns(SKSClusterSpec spec) {
        return ClusterModel.Network.of(spec).clusterDns();
    }
}
