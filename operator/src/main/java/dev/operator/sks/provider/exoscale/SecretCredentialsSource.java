package dev.operator.sks.provider.exoscale;

import dev.operator.sks.provider.ProviderException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Reads the Exoscale credentials from a Secret (keys {@code api-key} and {@code api-secret}), at most once a minute,
 * so a rotated key takes effect within a minute without a restart.
 */
public final class SecretCredentialsSource implements ExoscaleCredentialsSource {
    public static final String API_KEY = "api-key";
    public static final String API_SECRET = "api-secret";
    static final Duration REFRESH = Duration.ofMinutes(1);

    private record Cached(ExoscaleCredentials credentials, Instant readAt) {}

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Clock clock;
    private volatile Cached cached;

    public SecretCredentialsSource(KubernetesClient client, String namespace, String name, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.clock = clock;
    }

    @Override
    public ExoscaleCredentials get() throws ProviderException {
        Cached current = cached;
        Instant now = clock.instant();
        if (current != null && now.isBefore(current.readAt().plus(REFRESH))) {
            return current.credentials();
        }
        ExoscaleCredentials credentials = read();
        cached = new Cached(credentials, now);
        return credentials;
    }

    private ExoscaleCredentials read() throws ProviderException {
        String where = "Secret " + namespace + "/" + name;
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new ProviderException(
                    "cannot read the Exoscale credentials from " + where + ": HTTP " + e.getCode(), e);
        }
        if (secret == null) {
            throw new ProviderException(where + " with the Exoscale API credentials (keys " + API_KEY + " and "
                    + API_SECRET + ") does not exist");
        }
        String key = value(secret.getData(), API_KEY);
        String apiSecret = value(secret.getData(), API_SECRET);
        if (key.isBlank() || apiSecret.isBlank()) {
            throw new ProviderException(where + " needs both keys " + API_KEY + " and " + API_SECRET);
        }
        return new ExoscaleCredentials(key, apiSecret);
    }

    private static String value(Map<String, String> data, String key) {
        String encoded = data == null ? null : data.get(key);
        if (encoded == null) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).trim();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
