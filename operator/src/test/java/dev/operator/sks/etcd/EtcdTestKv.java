package dev.operator.sks.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operator.sks.pki.TlsTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Puts and gets keys through etcd's JSON gateway with a client certificate: data for backup tests. */
public final class EtcdTestKv {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI endpoint;
    private final HttpClient http;

    public EtcdTestKv(URI endpoint, String certificatePem, String keyPem, String caPem) {
        this.endpoint = endpoint;
        this.http = TlsTestSupport.httpClient(TlsTestSupport.sslContext(certificatePem, keyPem, caPem));
    }

    public void put(String key, byte[] value) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", base64(key.getBytes(StandardCharsets.UTF_8)));
        body.put("value", base64(value));
        call("/v3/kv/put", body);
    }

    public Optional<byte[]> get(String key) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", base64(key.getBytes(StandardCharsets.UTF_8)));
        JsonNode kvs = call("/v3/kv/range", body).path("kvs");
        return kvs.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        Base64.getDecoder().decode(kvs.get(0).path("value").asText()));
    }

    private JsonNode call(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(endpoint.resolve(path))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
