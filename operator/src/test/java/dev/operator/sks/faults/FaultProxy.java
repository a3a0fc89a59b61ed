package dev.operator.sks.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS reverse proxy between an operator's client and a real kube-apiserver that injects faults at a configured
 * rate: 409 Conflict (with a {@code Status} body, on writes only, as a real server answers them), 429 with
 * {@code Retry-After: 1}, 500, 503, a write whose answer is lost (forwarded, so it happened, but answered 503, as when a
 * connection drops after the server committed), added latency, and watch streams cut after a random time.
 *
 * <p>Each request rolls a seeded {@link Random}: the seed is printed, so a failing run's decisions can be replayed
 * (with concurrent clients the order of requests, and so which request gets which roll, still varies). The proxy
 * terminates TLS with a certificate from {@code pki/} that {@link #kubeconfig()} trusts, and forwards with the
 * upstream kubeconfig's own credentials (the admin client certificate of a test API server), so the operator's client
 * needs none.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy can do to a request, each counted. */
    public enum Fault {
        CONFLICT(409),
        TOO_MANY_REQUESTS(429),
        INTERNAL_ERROR(500),
        UNAVAILABLE(503),
        ANSWER_LOST(503),
        LATENCY(0),
        WATCH_CUT(0);

        final int status;

        Fault(int status) {
            this.status = status;
        }
    }

    /**
     * {@code rate}: the share of requests that get a fault; {@code watchCutRate}: the share of watches (not otherwise
     * faulted) that are cut, apart, since an informer opens few watches and keeps each for minutes.
     */
    public record Settings(double rate, double watchCutRate, long seed, Duration maxLatency, Duration maxWatchLife) {
        public Settings {
            if (rate < 0 || rate > 1 || watchCutRate < 0 || watchCutRate > 1) {
                throw new IllegalArgumentException("rates are shares between 0 and 1");
            }
        }

        public static Settings of(double rate, long seed) {
            return new Settings(rate, rate, seed, Duration.ofMillis(300), Duration.ofSeconds(20));
        }

        public Settings withWatchCutRate(double share) {
            return new Settings(rate, share, seed, maxLatency, maxWatchLife);
        }
    }

    private static final Set<String> NOT_FORWARDED_REQUEST_HEADERS = Set.of(
            "connection",
            "content-length",
            "expect",
            "host",
            "upgrade",
            "transfer-encoding",
            "keep-alive",
            "authorization");
    private static final Set<String> NOT_FORWARDED_RESPONSE_HEADERS =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive", ":status");
    private static final List<Fault> READ_FAULTS =
            List.of(Fault.TOO_MANY_REQUESTS, Fault.INTERNAL_ERROR, Fault.UNAVAILABLE, Fault.LATENCY);
    private static final List<Fault> WRITE_FAULTS = List.of(
            Fault.CONFLICT,
            Fault.TOO_MANY_REQUESTS,
            Fault.INTERNAL_ERROR,
            Fault.UNAVAILABLE,
            Fault.ANSWER_LOST,
            Fault.LATENCY);

    private final HttpServer server;
    private final URI upstream;
    private final HttpClient client;
    private final String kubeconfig;
    private final Random random;
    private final ExecutorService handlers = Executors.newCachedThreadPool(daemon("fault-proxy"));
    private final ScheduledExecutorService cutter =
            Executors.newSingleThreadScheduledExecutor(daemon("fault-proxy-cutter"));
    private final AtomicLongArray injected = new AtomicLongArray(Fault.values().length);
    private final AtomicLong requests = new AtomicLong();
    /** The upstream bodies of the watches streaming now, so {@link #cutOpenWatches} can end them. */
    private final Set<InputStream> openWatches = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private volatile Settings settings;
    /** {@code -Dfaults.trace=true}: one line per request (method, path, fault, status), to see what a client does. */
    private static final boolean TRACE = Boolean.getBoolean("faults.trace");

    private FaultProxy(URI upstream, SSLContext upstreamTls, Settings settings) throws IOException {
        this.upstream = upstream;
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.client = HttpClient.newBuilder()
                .sslContext(upstreamTls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        BouncyCastlePki pki = new BouncyCastlePki(Clock.systemUTC());
        IssuedCertificate ca = pki.createCa("fault-proxy-ca");
        IssuedCertificate serving = pki.issue(
                CertificateRequest.builder("fault-proxy")
                        .ipAddresses("127.0.0.1")
                        .dnsNames("localhost")
                        .serverAuth()
                        .validity(Duration.ofDays(1))
                        .build(),
                ca);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls(serving, ca)));
        this.server = https;
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
        this.kubeconfig = proxyKubeconfig(port(), ca.certificatePem());
        System.out.printf(
                "fault proxy on port %d -> %s: rate %.2f, watch cut rate %.2f, seed %d%n",
                port(), upstream, settings.rate(), settings.watchCutRate(), settings.seed());
    }

    /** A proxy in front of the API server of {@code upstreamKubeconfig}, forwarding with its client certificate. */
    public static FaultProxy start(String upstreamKubeconfig, Settings settings) throws Exception {
        Config config = Config.fromKubeconfig(upstreamKubeconfig);
        return new FaultProxy(URI.create(stripSlash(config.getMasterUrl())), upstreamTls(config), settings);
    }

    /** A proxy in front of any server (tests of the proxy itself use a plain-HTTP one). */
    static FaultProxy start(URI upstream, Settings settings) throws Exception {
        return new FaultProxy(upstream, SSLContext.getDefault(), settings);
    }

    /** A kubeconfig that reaches the upstream server through this proxy. */
    public String kubeconfig() {
        return kubeconfig;
    }

    /**
     * A client that reaches the upstream server through this proxy with HTTP streaming watches only: the proxy carries
     * no WebSocket, and a client left to try one first spends each watch's start on a refused upgrade.
     */
    public io.fabric8.kubernetes.client.KubernetesClient client() {
        Config config = Config.fromKubeconfig(kubeconfig);
        config.setOnlyHttpWatches(true);
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(config)
                .build();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Changes the rates from the next request on (the random sequence goes on). */
    public void settings(Settings changed) {
        this.settings = changed;
    }

    /**
     * Cuts every watch streaming now, each counted as a {@link Fault#WATCH_CUT}: a client's watches last minutes, so
     * those opened before the faults began would otherwise never meet the watch cut rate; reopened, they do.
     */
    public int cutOpenWatches() {
        int cut = 0;
        for (InputStream watch : List.copyOf(openWatches)) {
            if (openWatches.remove(watch)) {
                injected.incrementAndGet(Fault.WATCH_CUT.ordinal());
                cut++;
                try {
                    watch.close();
                } catch (IOException e) {
                    // already ended
                }
            }
        }
        return cut;
    }

    /** How many of each fault were injected so far. */
    public Map<Fault, Long> injected() {
        Map<Fault, Long> counts = new EnumMap<>(Fault.class);
        for (Fault fault : Fault.values()) {
            counts.put(fault, injected.get(fault.ordinal()));
        }
        return counts;
    }

    public long injectedTotal() {
        return injected().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every request the proxy received, faulted or not. */
    public long requests() {
        return requests.get();
    }

    public String summary() {
        return "fault proxy (seed " + settings.seed() + "): " + requests() + " requests, " + injectedTotal()
                + " faults injected " + injected();
    }

    @Override
    public void close() {
        server.stop(0);
        cutter.shutdownNow();
        handlers.shutdownNow();
    }

    /**
     * The fault for one request, or none: a pure decision over the next rolls of {@code random}, so a seed replays a
     * run's decisions. Only writes get a 409 or a lost answer; a watch that gets no other fault may be cut.
     */
    static Optional<Fault> decide(Random random, Settings settings, String method, boolean watch) {
        double roll = random.nextDouble();
        int pick = random.nextInt(1 << 20);
        double cutRoll = random.nextDouble();
        if (roll < settings.rate()) {
            List<Fault> kinds = isWrite(method) ? WRITE_FAULTS : READ_FAULTS;
            return Optional.of(kinds.get(pick % kinds.size()));
        }
        if (watch && cutRoll < settings.watchCutRate()) {
            return Optional.of(Fault.WATCH_CUT);
        }
        return Optional.empty();
    }

    static boolean isWrite(String method) {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    static boolean isWatch(URI uri) {
        String query = uri.getRawQuery();
        if (query == null) {
            return false;
        }
        for (String part : query.split("&")) {
            if (part.equals("watch=true") || part.equals("watch=1")) {
                return true;
            }
        }
        return false;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String method = exchange.getRequestMethod();
            URI uri = exchange.getRequestURI();
            boolean watch = isWatch(uri);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (TRACE) {
                System.out.printf("fault proxy: %s %s%s%n", method, uri, watch ? " (watch)" : "");
            }
            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
                // The proxy carries no WebSocket. fabric8 tries a watch as one first and falls back to an HTTP
                // streaming watch when the upgrade is answered 200 or 503: an empty 200 makes it fall back at once
                // (a 503 is retried for about 20 s first; the watch's own endless 200 held the handshake a minute).
                // Not a fault: nothing is counted.
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            Settings now = settings;
            Optional<Fault> fault;
            long latencyMillis;
            long watchLifeMillis;
            synchronized (random) {
                fault = decide(random, now, method, watch);
                latencyMillis = (long) (random.nextDouble() * now.maxLatency().toMillis());
                watchLifeMillis =
                        500 + (long) (random.nextDouble() * now.maxWatchLife().toMillis());
            }
            fault.ifPresent(f -> injected.incrementAndGet(f.ordinal()));
            Fault f = fault.orElse(null);
            if (f == Fault.CONFLICT
                    || f == Fault.TOO_MANY_REQUESTS
                    || f == Fault.INTERNAL_ERROR
                    || f == Fault.UNAVAILABLE) {
                answerStatus(exchange, f, uri);
                return;
            }
            if (f == Fault.LATENCY) {
                Thread.sleep(latencyMillis);
            }
            HttpResponse<InputStream> response = forward(exchange, method, uri, body);
            if (f == Fault.ANSWER_LOST) {
                response.body().close();
                answerStatus(exchange, f, uri);
                return;
            }
            copyHeaders(response, exchange);
            if (TRACE) {
                System.out.printf(
                        "fault proxy: %s %s -> %d%s%n",
                        method,
                        uri,
                        response.statusCode(),
                        fault.map(x -> " " + x).orElse(""));
            }
            if (watch && response.statusCode() == 200) {
                stream(exchange, response, f == Fault.WATCH_CUT ? watchLifeMillis : -1);
            } else {
                byte[] answer;
                try (InputStream in = response.body()) {
                    answer = in.readAllBytes();
                }
                exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    exchange.getResponseBody().write(answer);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client sees its connection end, as with a server that went away; nothing to add.
        }
    }

    private HttpResponse<InputStream> forward(HttpExchange exchange, String method, URI uri, byte[] body)
            throws IOException, InterruptedException {
        String target = stripSlash(upstream.toString())
                + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                .method(
                        method,
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED_REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static void copyHeaders(HttpResponse<?> response, HttpExchange exchange) {
        response.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED_RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
    }

    /** Streams a watch, flushing each read; a cut one is closed after {@code lifeMillis}, as a server that ends it. */
    private void stream(HttpExchange exchange, HttpResponse<InputStream> response, long lifeMillis) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        // The headers and one space go now, not with the first event: fabric8 counts an HTTP watch as watching (and
        // JOSDK's informer health, so the operator's /readyz, follows) only once the first body bytes arrive, and a
        // watch of a quiet namespace may have no event for minutes. A space before the first event's JSON line is
        // whitespace the JSON reader skips, so the stream's meaning is unchanged.
        exchange.getResponseBody().write(' ');
        exchange.getResponseBody().flush();
        InputStream in = response.body();
        if (lifeMillis >= 0) {
            cutter.schedule(
                    () -> {
                        try {
                            in.close();
                        } catch (IOException e) {
                            // already closed: the watch ended first
                        }
                    },
                    lifeMillis,
                    TimeUnit.MILLISECONDS);
        }
        OutputStream out = exchange.getResponseBody();
        byte[] buffer = new byte[16 * 1024];
        openWatches.add(in);
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // cut (or the upstream ended it): the exchange is closed by the caller, which ends the stream
        } finally {
            openWatches.remove(in);
        }
    }

    private static void answerStatus(HttpExchange exchange, Fault fault, URI uri) throws IOException {
        String reason = switch (fault) {
            case CONFLICT -> "Conflict";
            case TOO_MANY_REQUESTS -> "TooManyRequests";
            case INTERNAL_ERROR -> "InternalError";
            default -> "ServiceUnavailable";
        };
        String message = switch (fault) {
            case CONFLICT ->
                "Operation cannot be fulfilled on " + json(uri.getRawPath())
                        + ": the object has been modified; please apply your changes to the latest version and"
                        + " try again";
            case TOO_MANY_REQUESTS ->
                "the server has received too many requests and has asked us to try again" + " later";
            case INTERNAL_ERROR ->
                "an error on the server (\\\"injected by the fault proxy\\\") has prevented"
                        + " the request from succeeding";
            default -> "the server is currently unable to handle the request";
        };
        String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"" + message + "\",\"reason\":\"" + reason + "\","
                + (fault == Fault.TOO_MANY_REQUESTS ? "\"details\":{\"retryAfterSeconds\":1}," : "")
                + "\"code\":" + fault.status + "}";
        byte[] bytes = status.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (fault == Fault.TOO_MANY_REQUESTS) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        exchange.sendResponseHeaders(fault.status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static SSLContext serverTls(IssuedCertificate serving, IssuedCertificate ca) throws IOException {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "fault-proxy".toCharArray();
            keys.setKeyEntry("serving", serving.privateKey(), password, new Certificate[] {
                serving.certificate(), ca.certificate()
            });
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers.getKeyManagers(), null, new SecureRandom());
            return tls;
        } catch (Exception e) {
            throw new IOException("cannot set up the proxy's TLS", e);
        }
    }

    /** Trusts the upstream's CA and presents its client certificate, both from the kubeconfig. */
    private static SSLContext upstreamTls(Config config) throws Exception {
        char[] password = "fault-proxy".toCharArray();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        for (X509Certificate ca : Pem.parseCertificates(pem(config.getCaCertData(), config.getCaCertFile(), "CA"))) {
            trust.setCertificateEntry("ca-" + n++, ca);
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        PrivateKey key = Pem.parsePrivateKey(pem(config.getClientKeyData(), config.getClientKeyFile(), "client key"));
        List<X509Certificate> chain = Pem.parseCertificates(
                pem(config.getClientCertData(), config.getClientCertFile(), "client certificate"));
        keys.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
        return tls;
    }

    /** A kubeconfig's PEM, given inline (base64) or as a file, as fabric8 reads either. */
    private static String pem(String inlineBase64, String file, String what) throws IOException {
        if (inlineBase64 != null) {
            return new String(Base64.getDecoder().decode(inlineBase64.trim()), StandardCharsets.UTF_8);
        }
        if (file != null) {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file));
        }
        throw new IllegalArgumentException("the upstream kubeconfig has no " + what);
    }

    private static String proxyKubeconfig(int port, String caPem) {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fault-proxy
                  cluster:
                    server: https://127.0.0.1:%d
                    certificate-authority-data: %s
                users:
                - name: fault-proxy
                  user: {}
                contexts:
                - name: fault-proxy
                  context: {cluster: fault-proxy, user: fault-proxy}
                current-context: fault-proxy
                """.formatted(port, ca);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong count = new AtomicLong();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
