package dev.operator.sks.tenant;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.support.Digests;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One cache of clients for the tenant API servers, keyed by (namespace, cluster), each built from the cluster's admin
 * kubeconfig ({@link Names#adminKubeconfig}, key {@link Names#KUBECONFIG_KEY}) and rebuilt when that Secret's content
 * changes (a re-issued certificate, a new endpoint).
 *
 * <p>Timeouts are short and the client never retries by itself ({@link #CONNECT_TIMEOUT}, {@link #REQUEST_TIMEOUT},
 * no request retry backoff): a tenant that does not answer must cost a reconcile seconds, not minutes, and the
 * reconciler's own backoff decides when to try again.
 *
 * <p>Callers must not close the clients they get: the cache owns them, closing one when it is replaced,
 * {@linkplain #evict evicted} or on {@link #close()}. A request in flight on a replaced client fails, and the next
 * reconcile uses the new one.
 */
public final class TenantClients implements AutoCloseable {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    public record ClusterKey(String namespace, String cluster) {
        public static ClusterKey of(SKSCluster cluster) {
            return new ClusterKey(
                    cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
        }
    }

    /**
     * Where to reach a tenant instead of its kubeconfig's server. Production uses the kubeconfig as it is
     * ({@link #NONE}); tests and an operator running outside the management cluster (where the in-cluster Service
     * name does not resolve) point it elsewhere. The URL must be covered by the API server's certificate.
     */
    @FunctionalInterface
    public interface ServerOverride {
        ServerOverride NONE = (key, kubeconfigServer) -> kubeconfigServer;

        String server(ClusterKey key, String kubeconfigServer);
    }

    private record Entry(String digest, KubernetesClient client) {}

    private final ServerOverride serverOverride;
    private final SecretLookup secrets;
    private final ConcurrentHashMap<ClusterKey, Entry> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public TenantClients(KubernetesClient management) {
        this(management, ServerOverride.NONE);
    }

    public TenantClients(KubernetesClient management, ServerOverride serverOverride) {
        this(serverOverride, SecretLookup.live(management));
    }

    /** @param secrets where the clusters' admin kubeconfig Secrets are read (the operator's informer cache) */
    public TenantClients(ServerOverride serverOverride, SecretLookup secrets) {
        this.serverOverride = serverOverride;
        this.secrets = secrets;
    }

    public Optional<KubernetesClient> client(SKSCluster cluster) {
        return client(ClusterKey.of(cluster));
    }

    public Optional<KubernetesClient> client(String namespace, String cluster) {
        return client(new ClusterKey(namespace, cluster));
    }

    /**
     * The tenant's client; empty while the cluster has no admin kubeconfig. Reads the kubeconfig Secret (from the
     * informer's cache, in the operator: a tenant retried every few seconds costs the API server nothing) and builds a client only when its content differs from the cached one's.
     *
     * @throws IllegalStateException if the kubeconfig cannot be read as one, or after {@link #close()}
     */
    public Optional<KubernetesClient> client(ClusterKey key) {
        requireOpen();
        Optional<String> kubeconfig = readKubeconfig(key);
        if (kubeconfig.isEmpty()) {
            evict(key);
            return Optional.empty();
        }
        String digest = Digests.sha256Hex(kubeconfig.get());
        Entry cached = clients.get(key);
        if (cached != null && cached.digest().equals(digest)) {
            return Optional.of(cached.client());
        }
        Config config = config(key, kubeconfig.get());
        Entry entry = clients.compute(key, (k, old) -> {
            if (old != null && old.digest().equals(digest)) {
                return old;
            }
            if (old != null) {
                old.client().close();
            }
            return new Entry(
                    digest, new KubernetesClientBuilder().withConfig(config).build());
        });
        if (closed) {
            // close() ran meanwhile and may have missed this entry.
            evict(key);
            throw new IllegalStateException("the tenant clients are closed");
        }
        return Optional.of(entry.client());
    }

    public boolean reachable(String namespace, String cluster) {
        return probe(new ClusterKey(namespace, cluster)).reachable();
    }

    public boolean reachable(SKSCluster cluster) {
        return probe(ClusterKey.of(cluster)).reachable();
    }

    public TenantProbe probe(SKSCluster cluster) {
        return probe(ClusterKey.of(cluster));
    }

    /**
     * GET /version with the admin credentials, answered within {@link #PROBE_TIMEOUT} or deemed unreachable. Never
     * throws: any failure is a probe result.
     */
    public TenantProbe probe(ClusterKey key) {
        try {
            Optional<KubernetesClient> client = client(key);
            if (client.isEmpty()) {
                return TenantProbe.unreachable(
                        "no admin kubeconfig yet (Secret " + Names.adminKubeconfig(key.cluster()) + ")");
            }
            return probeClient(client.get());
        } catch (RuntimeException e) {
            return TenantProbe.unreachable(describe(e));
        }
    }

    /** Like {@link #probe(ClusterKey)}, for a tenant client already at hand (no read of the kubeconfig Secret). */
    public static TenantProbe probeClient(KubernetesClient client) {
        try {
            return get(client, "version");
        } catch (RuntimeException e) {
            return TenantProbe.unreachable(describe(e));
        }
    }

    private static TenantProbe get(KubernetesClient client, String path) {
        String base = client.getMasterUrl().toString();
        URI uri = URI.create(base.endsWith("/") ? base + path : base + "/" + path);
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(uri)
                .timeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .build();
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(request, String.class);
        try {
            // A little beyond the request's own timeout, in case the transport does not honour it during a TLS
            // handshake.
            int code = response.get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS)
                    .code();
            return code >= 200 && code < 300
                    ? TenantProbe.reachable("the tenant API server answers")
                    : TenantProbe.unreachable("the tenant API server answers HTTP " + code + " to GET /" + path);
        } catch (TimeoutException e) {
            response.cancel(true);
            return TenantProbe.unreachable(notAnswering());
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            return TenantProbe.unreachable("interrupted while probing the tenant API server");
        } catch (ExecutionException e) {
            return TenantProbe.unreachable(describe(e.getCause() == null ? e : e.getCause()));
        }
    }

    /** Why a request got no answer, in words; by exception type only, since messages may quote URLs or content. */
    static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // The JDK client counts the TLS handshake in its connect timeout: a server that accepts and stays silent
            // lands
            // here as well.
            if (cause instanceof java.net.http.HttpTimeoutException
                    || cause instanceof java.net.SocketTimeoutException
                    || cause instanceof TimeoutException) {
                return notAnswering();
            }
            if (cause instanceof java.net.ConnectException) {
                return "the tenant API server refuses connections";
            }
            if (cause instanceof java.net.UnknownHostException) {
                return "the tenant API server's host name does not resolve (is the operator outside the management "
                        + "cluster?)";
            }
            if (cause instanceof javax.net.ssl.SSLException) {
                return "TLS with the tenant API server failed ("
                        + cause.getClass().getSimpleName() + ")";
            }
        }
        return "the tenant API server cannot be reached (" + failure.getClass().getSimpleName() + ")";
    }

    private static String notAnswering() {
        return "the tenant API server did not answer within " + PROBE_TIMEOUT.toSeconds() + " s";
    }

    /** Forgets a cluster's client and closes it (say, once the cluster is deleted). */
    public void evict(String namespace, String cluster) {
        evict(new ClusterKey(namespace, cluster));
    }

    public void evict(ClusterKey key) {
        Entry removed = clients.remove(key);
        if (removed != null) {
            removed.client().close();
        }
    }

    /** How many clients are cached. */
    public int size() {
        return clients.size();
    }

    @Override
    public void close() {
        closed = true;
        for (ClusterKey key : clients.keySet()) {
            evict(key);
        }
    }

    private Optional<String> readKubeconfig(ClusterKey key) {
        Secret secret = secrets.find(key.namespace(), Names.adminKubeconfig(key.cluster()))
                .orElse(null);
        if (secret != null && !madeForCluster(secret, key)) {
            // A same-named Secret the cluster did not make: its credentials are never used (the cluster reports the
            // conflict), lest the operator talk to whatever API server a user points it at.
            return Optional.empty();
        }
        String value = secret == null || secret.getData() == null
                ? null
                : secret.getData().get(Names.KUBECONFIG_KEY);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
    }

    private static boolean madeForCluster(Secret secret, ClusterKey key) {
        return secret.getMetadata().getOwnerReferences() != null
                && secret.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                && HasMetadata.getKind(SKSCluster.class).equals(r.getKind())
                                && key.cluster().equals(r.getName()));
    }

    private Config config(ClusterKey key, String kubeconfig) {
        Config config;
        try {
            config = Config.fromKubeconfig(kubeconfig);
        } catch (RuntimeException e) {
            // Without the cause: a parser message may quote the kubeconfig, which holds a private key.
            throw new IllegalStateException("the admin kubeconfig of " + key.namespace() + "/" + key.cluster()
                    + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        config.setMasterUrl(serverOverride.server(key, config.getMasterUrl()));
        config.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
        config.setRequestTimeout((int) REQUEST_TIMEOUT.toMillis());
        config.setRequestRetryBackoffLimit(0);
        config.setRequestRetryBackoffInterval(0);
        return config;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the tenant clients are closed");
        }
    }
}
