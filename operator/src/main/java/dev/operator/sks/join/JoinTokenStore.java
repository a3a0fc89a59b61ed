package dev.operator.sks.join;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.ShardStamper;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps a cluster's node join tokens in the management Secret {@link Names#bootstrapToken}, owned by the SKSCluster.
 * The operator makes the token itself, so user-data can be rendered as soon as the cluster's PKI exists; the tenant
 * learns the token later ({@code TenantBootstrap}), once its API answers.
 *
 * <p>Exactly one token per generation, however many reconciles race: the first is written with {@code create} (a
 * 409 means another won, and its token is read back), a rotation with an {@code update} carrying the resourceVersion
 * that was read (a 409 means another rotated first, and its token is read back). A token is generated only on a path
 * that writes it right away, never where the result could be dropped and regenerated.
 *
 * <p>On rotation the replaced token moves to the {@code previous-*} keys and stays until it expires, so the tenant
 * keeps accepting it for machines created from the previous user-data (see {@link BootstrapTokens}).
 *
 * <p>A same-named Secret the cluster does not control (by UID) is neither read nor replaced: its token could be
 * anyone's, and replacing it would destroy someone else's object ({@link NameConflictException}).
 */
public final class JoinTokenStore {
    static final String PREVIOUS_TOKEN_ID_KEY = "previous-" + BootstrapTokens.TOKEN_ID_KEY;
    static final String PREVIOUS_TOKEN_SECRET_KEY = "previous-" + BootstrapTokens.TOKEN_SECRET_KEY;
    static final String PREVIOUS_EXPIRATION_KEY = "previous-" + BootstrapTokens.EXPIRATION_KEY;
    /** Enough for any realistic race: each lost round means another writer settled the token. */
    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;
    private final SecretLookup cache;
    private final Supplier<BootstrapToken> generator;
    private final Sharding sharding;

    public JoinTokenStore(KubernetesClient management) {
        this(management, SecretLookup.live(management));
    }

    /** @param cache where the Secret is read first; a write reads it afresh from the API server */
    public JoinTokenStore(KubernetesClient management, SecretLookup cache) {
        this(management, cache, BootstrapToken::generate);
    }

    JoinTokenStore(KubernetesClient management, Supplier<BootstrapToken> generator) {
        this(management, SecretLookup.live(management), generator);
    }

    /**
     * @param sharding sharded, the Secret carries its shard label, and one the cluster controls that lacks it (written
     *                 before sharding) is relabelled when read
     */
    public JoinTokenStore(KubernetesClient management, SecretLookup cache, Sharding sharding) {
        this(management, cache, BootstrapToken::generate, sharding);
    }

    JoinTokenStore(KubernetesClient management, SecretLookup cache, Supplier<BootstrapToken> generator) {
        this(management, cache, generator, Sharding.NONE);
    }

    private JoinTokenStore(
            KubernetesClient management, SecretLookup cache, Supplier<BootstrapToken> generator, Sharding sharding) {
        this.client = management;
        this.cache = cache;
        this.generator = generator;
        this.sharding = sharding;
    }

    /** The token new user-data must carry: made on first use, rotated when due. */
    public BootstrapToken ensure(SKSCluster cluster, Clock clock) {
        return ensureTokens(cluster, clock).current().token();
    }

    /**
     * Like {@link #ensure}, with expirations and the previous token: what the tenant must accept.
     *
     * @throws NameConflictException when the Secret exists without a controller reference to {@code cluster}
     */
    public JoinTokens ensureTokens(SKSCluster cluster, Clock clock) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = Names.bootstrapToken(cluster.getMetadata().getName());
        Optional<JoinTokens> settled = cache.find(namespace, name)
                .filter(s -> Owners.isControlledBy(s, cluster) && sharding.stamped(s))
                .flatMap(JoinTokenStore::read)
                .filter(t -> !t.current().isRotationDueAt(clock.instant()));
        if (settled.isPresent()) {
            return settled.get();
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            Secret existing =
                    client.secrets().inNamespace(namespace).withName(name).get();
            if (existing == null) {
                JoinTokens fresh = new JoinTokens(JoinToken.issuedAt(generator.get(), now), Optional.empty());
                try {
                    return read(client.resource(sharding.stamp(secret(cluster, fresh)))
                                    .create())
                            .orElseThrow(() -> unreadable(name));
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    continue; // another reconcile created it first: read theirs
                }
            }
            if (!Owners.isControlledBy(existing, cluster)) {
                throw new NameConflictException(new NameConflict("Secret", name));
            }
            existing = ShardStamper.adopt(client, sharding, existing);
            Optional<JoinTokens> stored = read(existing);
            if (stored.isPresent() && !stored.get().current().isRotationDueAt(now)) {
                return stored.get();
            }
            // Due, or unreadable (edited by hand): replace. A token is not a CA: replacing one orphans nothing.
            Optional<JoinToken> previous = stored.map(JoinTokens::current).filter(t -> t.isValidAt(now));
            JoinTokens rotated = new JoinTokens(JoinToken.issuedAt(generator.get(), now), previous);
            Secret desired = sharding.stamp(secret(cluster, rotated));
            desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            try {
                return read(client.resource(desired).update()).orElseThrow(() -> unreadable(name));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // another reconcile rotated first: read theirs
            }
        }
        throw new IllegalStateException("the join token Secret " + namespace + "/" + name + " kept changing under "
                + ATTEMPTS + " attempts to settle it");
    }

    /**
     * The stored tokens without writing anything, whoever made the Secret; empty when there are none (yet) or they
     * cannot be read. For inspection (tests, tools): the operator's own paths go through {@link #ensureTokens}.
     */
    public Optional<JoinTokens> read(String namespace, String cluster) {
        return read(client.secrets()
                .inNamespace(namespace)
                .withName(Names.bootstrapToken(cluster))
                .get());
    }

    static Optional<JoinTokens> read(Secret secret) {
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> data = secret.getData();
        Optional<JoinToken> current = token(
                data, BootstrapTokens.TOKEN_ID_KEY, BootstrapTokens.TOKEN_SECRET_KEY, BootstrapTokens.EXPIRATION_KEY);
        return current.map(c -> new JoinTokens(
                c, token(data, PREVIOUS_TOKEN_ID_KEY, PREVIOUS_TOKEN_SECRET_KEY, PREVIOUS_EXPIRATION_KEY)));
    }

    private static Optional<JoinToken> token(
            Map<String, String> data, String idKey, String secretKey, String expirationKey) {
        Optional<String> id = BootstrapTokens.decode(data, idKey);
        Optional<String> secret = BootstrapTokens.decode(data, secretKey);
        Optional<Instant> expiration =
                BootstrapTokens.decode(data, expirationKey).flatMap(BootstrapTokens::parseExpiration);
        if (id.isEmpty() || secret.isEmpty() || expiration.isEmpty()) {
            return Optional.empty();
        }
        return BootstrapToken.parse(id.get() + "." + secret.get()).map(t -> new JoinToken(t, expiration.get()));
    }

    private static Secret secret(SKSCluster cluster, JoinTokens tokens) {
        Map<String, String> plain = new LinkedHashMap<>();
        put(
                plain,
                tokens.current(),
                BootstrapTokens.TOKEN_ID_KEY,
                BootstrapTokens.TOKEN_SECRET_KEY,
                BootstrapTokens.EXPIRATION_KEY);
        tokens.previous()
                .ifPresent(previous -> put(
                        plain, previous, PREVIOUS_TOKEN_ID_KEY, PREVIOUS_TOKEN_SECRET_KEY, PREVIOUS_EXPIRATION_KEY));
        String clusterName = cluster.getMetadata().getName();
        return new SecretBuilder()
                .withNewMetadata()
                .withName(Names.bootstrapToken(clusterName))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(clusterName, Labels.JOIN_COMPONENT))
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                // Opaque, not bootstrap.kubernetes.io/token: this is the tenant's token, not a credential of the
                // management cluster.
                .withType("Opaque")
                .withData(SecretData.encode(plain))
                .build();
    }

    private static void put(
            Map<String, String> plain, JoinToken token, String idKey, String secretKey, String expirationKey) {
        plain.put(idKey, token.token().id());
        plain.put(secretKey, token.token().secret());
        plain.put(expirationKey, BootstrapTokens.formatExpiration(token.expiration()));
    }

    private static IllegalStateException unreadable(String name) {
        return new IllegalStateException("the join token Secret " + name + " was written but does not read back");
    }
}
