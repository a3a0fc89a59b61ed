package dev.operator.sks.join;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a node join token is worth and what it becomes in the tenant cluster.
 *
 * <p>Lifetime: {@link #TTL} 24 hours, kubeadm's default, so a leaked user-data is useless after a day. Rotation:
 * once less than a third of the lifetime is left ({@link #ROTATE_WHEN_LEFT}, 8 hours). The user-data of an instance
 * pool is re-rendered with each new token, and a machine may be created from it at any moment until the next
 * rotation and then take a while to boot (image pull, slow hypervisor, retries): rotating with 8 hours left means a
 * machine always has at least 8 hours to run {@code kubeadm join}, while a token is never more than 16 hours old
 * when it is replaced. The previous token stays valid in the tenant until its own expiration, so machines made just
 * before a rotation still join.
 */
public final class BootstrapTokens {
    public static final Duration TTL = Duration.ofHours(24);
    public static final Duration ROTATE_WHEN_LEFT = TTL.dividedBy(3);

    /** The Secret type the tenant API server's bootstrap authenticator and bootstrapsigner look for. */
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    /** The group kubeadm's join RBAC is bound to; bootstrap-token users get it through auth-extra-groups. */
    public static final String NODE_BOOTSTRAP_GROUP = "system:bootstrappers:kubeadm:default-node-token";
    /** Every bootstrap-token user is in this group, besides the extra ones. */
    public static final String BOOTSTRAPPERS_GROUP = "system:bootstrappers";

    // Keys of a bootstrap token Secret (k8s.io/cluster-bootstrap/token/api).
    public static final String TOKEN_ID_KEY = "token-id";
    public static final String TOKEN_SECRET_KEY = "token-secret";
    public static final String EXPIRATION_KEY = "expiration";
    public static final String USAGE_AUTHENTICATION_KEY = "usage-bootstrap-authentication";
    public static final String USAGE_SIGNING_KEY = "usage-bootstrap-signing";
    public static final String EXTRA_GROUPS_KEY = "auth-extra-groups";
    public static final String DESCRIPTION_KEY = "description";

    private BootstrapTokens() {}

    /**
     * When a token made at {@code now} expires: whole seconds, so the RFC 3339 text has no fraction and what is stored
     * reads back equal.
     */
    public static Instant expirationFor(Instant now) {
        return now.plus(TTL).truncatedTo(ChronoUnit.SECONDS);
    }

    /** The instant a token expiring at {@code expiration} is to be replaced. */
    public static Instant rotationTime(Instant expiration) {
        return expiration.minus(ROTATE_WHEN_LEFT);
    }

    public static boolean isRotationDue(Instant expiration, Instant now) {
        return !now.isBefore(rotationTime(expiration));
    }

    /** RFC 3339 in UTC, as the bootstrap authenticator parses it: {@code 2025-01-31T12:00:00Z}. */
    public static String formatExpiration(Instant expiration) {
        return DateTimeFormatter.ISO_INSTANT.format(expiration.truncatedTo(ChronoUnit.SECONDS));
    }

    public static Optional<Instant> parseExpiration(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The tenant's {@code kube-system/bootstrap-token-<id>} Secret for a join token: authenticates joining kubelets
     * into {@link #NODE_BOOTSTRAP_GROUP} and lets the tenant's bootstrapsigner sign cluster-info with it. The tenant's
     * tokencleaner deletes it once expired.
     */
    public static Secret tenantSecret(JoinToken joinToken, String clusterName) {
        Map<String, String> plain = new LinkedHashMap<>();
        plain.put(TOKEN_ID_KEY, joinToken.token().id());
        plain.put(TOKEN_SECRET_KEY, joinToken.token().secret());
        plain.put(EXPIRATION_KEY, formatExpiration(joinToken.expiration()));
        plain.put(USAGE_AUTHENTICATION_KEY, "true");
        plain.put(USAGE_SIGNING_KEY, "true");
        plain.put(EXTRA_GROUPS_KEY, NODE_BOOTSTRAP_GROUP);
        plain.put(DESCRIPTION_KEY, "Node join token of SKS cluster " + clusterName + ", made by sks-operator");
        return new SecretBuilder()
                .withNewMetadata()
                .withName(Names.tenantBootstrapTokenSecret(joinToken.token().id()))
                .withNamespace(Names.TENANT_KUBE_SYSTEM)
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
                .endMetadata()
                .withType(SECRET_TYPE)
                // data, never stringData: the server rewrites stringData into data, so an apply would never match.
                .withData(SecretData.encode(plain))
                .build();
    }

    static Optional<String> decode(Map<String, String> data, String key) {
        String value = data == null ? null : data.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }
}
