package dev.operator.sks.provider.exoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.operator.sks.provider.ProviderException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Signed JSON requests to the Exoscale compute API v2 of one zone. Timeouts are short so a slow API never holds a
 * reconciliation thread for long: the reconciler retries.
 */
final class ExoscaleApi {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** How long a signature stays valid, as Exoscale's own clients sign. */
    static final Duration SIGNATURE_LIFETIME = Duration.ofMinutes(10);

    private static final int MAX_MESSAGE = 300;
    private static final Set<String> FINISHED_BADLY = Set.of("failure", "timeout");

    private final HttpClient http;
    private final String endpoint;
    private final ExoscaleCredentialsSource credentials;
    private final Clock clock;
    private final ObjectMapper json;

    ExoscaleApi(
            HttpClient http, String endpoint, ExoscaleCredentialsSource credentials, Clock clock, ObjectMapper json) {
        this.http = http;
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.credentials = credentials;
        this.clock = clock;
        this.json = json;
    }

    static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    JsonNode get(String path) throws ProviderException {
        return send("GET", path, Map.of(), null);
    }

    JsonNode get(String path, Map<String, String> query) throws ProviderException {
        return send("GET", path, query, null);
    }

    /** The resource at {@code path}, or empty when Exoscale answers 404. */
    Optional<JsonNode> find(String path) throws ProviderException {
        try {
            return Optional.of(get(path));
        } catch (ExoscaleApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    JsonNode post(String path, Object body) throws ProviderException {
        return send("POST", path, Map.of(), body);
    }

    JsonNode put(String path, Object body) throws ProviderException {
        return send("PUT", path, Map.of(), body);
    }

    JsonNode delete(String path) throws ProviderException {
        return send("DELETE", path, Map.of(), null);
    }

    /** Polls an operation for up to {@code wait}; a pending one is left for the next call to notice. */
    JsonNode awaitOperation(JsonNode operation, String what, Duration wait, Duration poll) throws ProviderException {
        String operationId = operation.path("id").asText("");
        JsonNode current = operation;
        long deadline = System.nanoTime() + wait.toNanos();
        while (!operationId.isEmpty()
                && "pending".equals(current.path("state").asText())
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderException("interrupted while waiting for Exoscale operation " + what, e);
            }
            current = get("/operation/" + operationId);
        }
        String state = current.path("state").asText();
        if (FINISHED_BADLY.contains(state)) {
            throw new ProviderException("Exoscale operation " + what + " ended in " + state
                    + (current.hasNonNull("reason")
                            ? " (" + current.path("reason").asText() + ")"
                            : "")
                    + (current.hasNonNull("message")
                            ? ": " + current.path("message").asText()
                            : ""));
        }
        return current;
    }

    private JsonNode send(String method, String path, Map<String, String> query, Object body) throws ProviderException {
        String what = method + " " + path;
        ExoscaleCredentials creds = credentials.get();
        String bodyText;
        try {
            bodyText = body == null ? "" : json.writeValueAsString(body);
        } catch (IOException e) {
            throw new ProviderException("cannot encode the body of Exoscale API request " + what, e);
        }
        URI uri = URI.create(endpoint + path + queryString(query));
        Map<String, List<String>> signedQuery = new LinkedHashMap<>();
        query.forEach((name, value) -> signedQuery.put(name, List.of(value)));
        long expires = clock.instant().plus(SIGNATURE_LIFETIME).getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header(
                        "Authorization",
                        ExoscaleSigner.authorization(creds, method, uri.getRawPath(), signedQuery, bodyText, expires));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(bodyText, StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProviderException(
                    "Exoscale API " + what + " did not answer: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted during Exoscale API request " + what, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new ExoscaleApiException(
                    response.statusCode(),
                    "Exoscale API " + what + " failed: HTTP " + response.statusCode() + ": "
                            + errorMessage(response.body(), sensitive(creds, bodyText, body)));
        }
        if (response.body() == null || response.body().isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new ProviderException("Exoscale API " + what + " answered something that is not JSON", e);
        }
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        return query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&", "?", ""));
    }

    /**
     * Exoscale's own message ({@code {"message": ...}}) or the start of the body, with anything we sent that must not
     * reach a status condition (the secret, the request body with its user-data) cut out should the API echo it.
     */
    private static List<String> sensitive(ExoscaleCredentials creds, String bodyText, Object body) {
        List<String> values = new java.util.ArrayList<>();
        values.add(creds.apiSecret());
        if (body instanceof Map<?, ?> fields && fields.get("user-data") instanceof String userData) {
            values.add(userData);
        }
        values.add(bodyText);
        return values;
    }

    private String errorMessage(String responseBody, List<String> sensitive) {
        String message = responseBody == null ? "" : responseBody.trim();
        try {
            JsonNode parsed = json.readTree(message);
            if (parsed != null && parsed.hasNonNull("message")) {
                message = parsed.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: keep the text
        }
        for (String value : sensitive) {
            if (value.length() >= 8) { // shorter values could match ordinary words
                message = message.replace(value, "***");
            }
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...";
        }
        return message.isEmpty() ? "(no message)" : message;
    }
}
