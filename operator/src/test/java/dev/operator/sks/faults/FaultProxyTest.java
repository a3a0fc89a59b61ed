package dev.operator.sks.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.operator.sks.faults.FaultProxy.Fault;
import dev.operator.sks.faults.FaultProxy.Settings;
import dev.operator.sks.pki.Pem;
import io.fabric8.kubernetes.client.Config;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy itself, in front of a small plain-HTTP server: it forwards faithfully and injects at its rate. */
class FaultProxyTest {
    private HttpServer upstream;
    private final CountDownLatch endWatch = new CountDownLatch(1);

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String answer = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new String(body, StandardCharsets.UTF_8) + " "
                    + exchange.getRequestHeaders().getFirst("X-Asked");
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("X-Upstream", "yes");
            exchange.sendResponseHeaders(201, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        upstream.createContext("/watch", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.flush();
                if (exchange.getRequestURI().getQuery().contains("quiet")) {
                    endWatch.await(30, TimeUnit.SECONDS);
                    return;
                }
                out.write("event-1\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                endWatch.await(30, TimeUnit.SECONDS);
                out.write("event-2\n".getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                // the proxy went away: the watch is over
            }
        });
        upstream.start();
    }

    @AfterEach
    void stopUpstream() {
        endWatch.countDown();
        upstream.stop(0);
    }

    private URI upstreamUri() {
        return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    }

    @Test
    void withoutFaultsItForwardsMethodPathQueryBodyHeadersAndStatus() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(upstreamUri(), Settings.of(0, 1))) {
            HttpClient http = clientTrusting(proxy);
            HttpResponse<String> answer = http.send(
                    request(proxy, "/echo/a%2Fb?labelSelector=x%3Dy")
                            .header("X-Asked", "please")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{}}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(201);
            assertThat(answer.headers().firstValue("X-Upstream")).hasValue("yes");
            assertThat(answer.body()).isEqualTo("PATCH /echo/a%2Fb?labelSelector=x%3Dy {\"spec\":{}} please");
            assertThat(proxy.injectedTotal()).isZero();
            assertThat(proxy.requests()).isEqualTo(1);
        }
    }

    @Test
    void aWatchIsStreamedAsItComesAndACutOneEndsWhileTheUpstreamKeepsIt() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(upstreamUri(), Settings.of(0, 1))) {
            HttpClient http = clientTrusting(proxy);
            HttpResponse<InputStream> watch =
                    http.send(request(proxy, "/watch?watch=true").build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                // The first event arrives while the upstream still holds the stream open: nothing is buffered. The
                // space before it is the proxy's own first byte, sent with the headers (see FaultProxy#stream).
                assertThat(lines.readLine()).isEqualTo(" event-1");
            }

            // A watch with no event yet has its headers through: the client knows it began.
            HttpResponse<InputStream> quiet = http.send(
                    request(proxy, "/watch?watch=true&quiet=1")
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(quiet.statusCode()).isEqualTo(200);
            quiet.body().close();

            proxy.settings(new Settings(0, 1, 1, Duration.ZERO, Duration.ofMillis(200)));
            long started = System.nanoTime();
            HttpResponse<InputStream> cut =
                    http.send(request(proxy, "/watch?watch=true").build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(cut.body(), StandardCharsets.UTF_8))) {
                assertThat(lines.readLine()).isEqualTo(" event-1");
                // The upstream would send event-2 only when the test ends; the proxy ends the stream before.
                assertThat(lines.readLine()).isNull();
            }
            System.out.printf(
                    "fault proxy test: the cut watch ended after %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(endWatch.getCount()).as("the upstream never ended it").isEqualTo(1);
            assertThat(proxy.injected()).containsEntry(Fault.WATCH_CUT, 1L);
        }
    }

    @Test
    void itInjectsAtTheRateAndEachFaultAnswersAsAnApiServerWould() throws Exception {
        int requests = 300;
        try (FaultProxy proxy = FaultProxy.start(upstreamUri(), Settings.of(0.1, 20261201L))) {
            HttpClient http = clientTrusting(proxy);
            Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            for (int i = 0; i < requests; i++) {
                HttpRequest.Builder builder = request(proxy, "/echo/" + i);
                if (i % 2 == 1) {
                    builder.PUT(HttpRequest.BodyPublishers.ofString("{}"));
                }
                HttpResponse<String> answer = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(answer.statusCode(), 1, Integer::sum);
                if (answer.statusCode() == 429) {
                    assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(answer.body()).contains("\"reason\":\"TooManyRequests\"");
                }
                if (answer.statusCode() == 409) {
                    assertThat(i % 2).as("only writes conflict").isEqualTo(1);
                    assertThat(answer.body())
                            .contains("\"kind\":\"Status\"")
                            .contains("\"reason\":\"Conflict\"")
                            .contains("\"code\":409");
                }
            }
            Map<Fault, Long> injected = proxy.injected();
            System.out.printf("fault proxy test: %d requests, statuses %s, %s%n", requests, statuses, injected);
            // 10 % of 300 is 30; binomial spread is about 5, so 10..50 fails only on a broken rate.
            assertThat(proxy.injectedTotal()).isBetween(10L, 50L);
            assertThat(statuses.getOrDefault(409, 0))
                    .isEqualTo(injected.get(Fault.CONFLICT).intValue());
            assertThat(statuses.getOrDefault(429, 0))
                    .isEqualTo(injected.get(Fault.TOO_MANY_REQUESTS).intValue());
            assertThat(statuses.getOrDefault(500, 0))
                    .isEqualTo(injected.get(Fault.INTERNAL_ERROR).intValue());
            assertThat(statuses.getOrDefault(503, 0))
                    .isEqualTo((int) (injected.get(Fault.UNAVAILABLE) + injected.get(Fault.ANSWER_LOST)));
            assertThat(statuses.getOrDefault(201, 0))
                    .isEqualTo(requests - proxy.injectedTotal() + injected.get(Fault.LATENCY));
            assertThat(injected.get(Fault.WATCH_CUT)).isZero();
        }
    }

    @Test
    void aSeedReplaysTheSameDecisions() {
        Settings settings = Settings.of(0.3, 7);
        assertThat(decisions(settings)).isEqualTo(decisions(settings));
        assertThat(decisions(settings)).isNotEqualTo(decisions(Settings.of(0.3, 8)));
        Map<Fault, Integer> kinds = new EnumMap<>(Fault.class);
        decisions(settings).forEach(d -> d.ifPresent(f -> kinds.merge(f, 1, Integer::sum)));
        assertThat(kinds.keySet()).as("every kind of fault happens").containsExactlyInAnyOrder(Fault.values());
    }

    private static List<Optional<Fault>> decisions(Settings settings) {
        Random random = new Random(settings.seed());
        List<Optional<Fault>> decisions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            decisions.add(FaultProxy.decide(random, settings, i % 3 == 0 ? "PATCH" : "GET", i % 5 == 0));
        }
        return decisions;
    }

    private static HttpRequest.Builder request(FaultProxy proxy, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30));
    }

    /** A client that trusts what the proxy's kubeconfig says to trust, as the operator's client does. */
    private static HttpClient clientTrusting(FaultProxy proxy) throws Exception {
        Config config = Config.fromKubeconfig(proxy.kubeconfig());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(
                "proxy-ca",
                Pem.parseCertificate(
                        new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.UTF_8)));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }
}
