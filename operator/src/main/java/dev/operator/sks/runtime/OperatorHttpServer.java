package dev.operator.sks.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one HTTP port: {@code /healthz} (liveness), {@code /readyz} (informers synced) and {@code /metrics}. */
public final class OperatorHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorHttpServer.class);

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param live whether the process should keep running (false makes the kubelet restart it)
     * @param notReadyReason empty when ready, otherwise why not, shown in the /readyz body
     */
    public OperatorHttpServer(
            int port, BooleanSupplier live, Supplier<String> notReadyReason, PrometheusMeterRegistry registry)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "sks-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(
                "/healthz",
                exchange -> respond(
                        exchange,
                        live.getAsBoolean() ? 200 : 503,
                        live.getAsBoolean() ? "ok" : "the operator has stopped",
                        "text/plain; charset=utf-8"));
        server.createContext("/readyz", exchange -> {
            String reason = notReadyReason.get();
            respond(
                    exchange,
                    reason.isEmpty() ? 200 : 503,
                    reason.isEmpty() ? "ok" : reason,
                    "text/plain; charset=utf-8");
        });
        server.createContext("/metrics", exchange -> {
            String text;
            try {
                text = registry.scrape();
            } catch (RuntimeException e) {
                // The JDK's server answers a handler's exception by closing the connection, which a scraper reports as
                // "no bytes": a 500 that names the cause says which series is wrong. Metric names and labels only.
                LOG.error("could not write the metrics", e);
                respond(exchange, 500, "could not write the metrics: " + e.getMessage(), "text/plain; charset=utf-8");
                return;
            }
            respond(exchange, 200, text, PROMETHEUS_TEXT);
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
