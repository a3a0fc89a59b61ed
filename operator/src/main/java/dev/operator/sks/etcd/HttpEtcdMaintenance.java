package dev.operator.sks.etcd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.PkiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * etcd's Maintenance API over the same v3 JSON gateway and mTLS identity as {@link HttpEtcdMembers}: a member's
 * status, and its snapshot as a stream. The gateway answers {@code POST /v3/maintenance/snapshot} with one JSON object
 * per chunk ({@code {"result":{"remainingBytes":..., "blob":"<base64>"}}}); {@link #snapshot} decodes them one at a
 * time with Jackson's streaming parser, so a snapshot of any size passes through a few tens of KiB of memory.
 *
 * <p>The gateway rather than jetcd: the operator already reaches etcd this way (one TLS setup, no gRPC, Netty or
 * Vert.x in the jar), and a streamed HTTP body is all a snapshot needs.
 */
public final class HttpEtcdMaintenance {
    /** Until the response starts; the body of a large snapshot may then take minutes. */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory STREAMING = new JsonFactory();

    /** What {@code /v3/maintenance/status} says of one member. */
    public record Status(String memberId, String version, long dbSize, String leader, boolean learner, String errors) {
        public boolean healthy() {
            return errors.isEmpty();
        }
    }

    private final URI endpoint;
    private final HttpClient http;

    private HttpEtcdMaintenance(URI endpoint, HttpClient http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    /** As {@link HttpEtcdMembers#connect}: a client certificate and the etcd CA; messages never contain the PEM. */
    public static HttpEtcdMaintenance connect(URI endpoint, String certificatePem, String privateKeyPem, String caPem)
            throws EtcdException {
        SSLContext tls;
        try {
            tls = HttpEtcdMembers.sslContext(
                    Pem.parseCertificates(certificatePem),
                    Pem.parsePrivateKey(privateKeyPem),
                    Pem.parseCertificates(caPem));
        } catch (PkiException e) {
            throw new EtcdException("cannot use the etcd client certificate: " + e.getMessage(), e);
        }
        return new HttpEtcdMaintenance(
                endpoint,
                HttpClient.newBuilder()
                        .sslContext(tls)
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(HttpEtcdMembers.CONNECT_TIMEOUT)
                        .build());
    }

    public URI endpoint() {
        return endpoint;
    }

    public Status status() throws EtcdException {
        HttpResponse<InputStream> response = post("/v3/maintenance/status", HttpEtcdMembers.REQUEST_TIMEOUT);
        try (InputStream body = response.body()) {
            JsonNode json = JSON.readTree(body);
            StringBuilder errors = new StringBuilder();
            json.path("errors")
                    .forEach(
                            e -> errors.append(errors.length() == 0 ? "" : "; ").append(e.asText()));
            return new Status(
                    json.path("header")
                            .path("member_id")
                            .asText(json.path("header").path("memberId").asText("")),
                    json.path("version").asText(""),
                    json.path("dbSize").asLong(json.path("db_size").asLong(0)),
                    json.path("leader").asText(""),
                    json.path("isLearner").asBoolean(json.path("is_learner").asBoolean(false)),
                    errors.toString());
        } catch (IOException e) {
            throw new EtcdException("etcd at " + endpoint + " answered a status that is not JSON", e);
        }
    }

    /**
     * The member's snapshot, as etcd streams it (its bolt database followed by the SHA-256 etcd appends), read as the
     * caller reads. Closing the stream abandons the response.
     *
     * @throws EtcdException when the member cannot be reached or refuses; a failure mid-stream surfaces as an
     *     IOException from {@code read}
     */
    public InputStream snapshot() throws EtcdException {
        HttpResponse<InputStream> response = post("/v3/maintenance/snapshot", HEADERS_TIMEOUT);
        try {
            return new BlobStream(STREAMING.createParser(response.body()), response.body(), endpoint);
        } catch (IOException e) {
            throw new EtcdException("cannot read the snapshot stream of etcd at " + endpoint, e);
        }
    }

    private HttpResponse<InputStream> post(String path, Duration timeout) throws EtcdException {
        URI uri = endpoint.resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new EtcdException(
                    "cannot reach etcd at " + uri + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException("interrupted while calling etcd at " + uri, e);
        }
        if (response.statusCode() != 200) {
            String text;
            try (InputStream body = response.body()) {
                text = new String(body.readNBytes(200), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                text = "";
            }
            throw new EtcdException("etcd at " + uri + " answered HTTP " + response.statusCode() + ": " + text, true);
        }
        return response;
    }

    /**
     * The decoded blobs of the gateway's stream of JSON objects. An object with an {@code error} member (etcd failed
     * mid-way) ends the stream with an IOException, never with a short snapshot taken as whole.
     */
    private static final class BlobStream extends InputStream {
        private final JsonParser parser;
        private final InputStream body;
        private final URI endpoint;
        private byte[] chunk = new byte[0];
        private int position;
        private boolean ended;

        BlobStream(JsonParser parser, InputStream body, URI endpoint) {
            this.parser = parser;
            this.body = body;
            this.endpoint = endpoint;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position >= chunk.length) {
                if (ended || !nextChunk()) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(length, chunk.length - position);
            System.arraycopy(chunk, position, buffer, offset, n);
            position += n;
            return n;
        }

        /** Reads the next top-level object; false at the end of the response. */
        private boolean nextChunk() throws IOException {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return false;
            }
            if (token != JsonToken.START_OBJECT) {
                throw new IOException("etcd at " + endpoint + " sent a snapshot stream that is not JSON objects");
            }
            byte[] blob = new byte[0];
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("result".equals(field)) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = parser.currentName();
                        parser.nextToken();
                        if ("blob".equals(inner) && parser.currentToken() == JsonToken.VALUE_STRING) {
                            blob = parser.getBinaryValue();
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else if ("error".equals(field)) {
                    JsonNode error = JSON.readTree(parser);
                    throw new IOException("etcd at " + endpoint + " failed the snapshot: "
                            + error.path("message").asText(error.toString()));
                } else {
                    parser.skipChildren();
                }
            }
            chunk = blob;
            position = 0;
            return true;
        }

        @Override
        public void close() throws IOException {
            try {
                parser.close();
            } finally {
                body.close();
            }
        }
    }
}
