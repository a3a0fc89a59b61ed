package dev.operator.sks.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@link EtcdMembers} and {@link EtcdMaintenance} over etcd's v3 JSON gateway ({@code POST /v3/cluster/member/...},
 * {@code /v3/maintenance/...}, {@code /v3/kv/compaction}), with a client certificate and trusting only the etcd CA.
 * Timeouts are short: a reconcile waits seconds for an unreachable etcd, never minutes, and its own backoff decides
 * when to try again. Only compaction and defragmentation, which run off the reconcile threads, may take longer. IDs
 * and revisions are 64-bit, which the gateway writes as strings.
 */
public final class HttpEtcdMembers implements EtcdMaintenance {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    /** A defragmentation rewrites the whole db file: seconds per GiB on a fast disk, more on a slow one. */
    public static final Duration DEFRAGMENT_TIMEOUT = Duration.ofMinutes(5);
    /** A physical compaction waits until every member has applied it. */
    public static final Duration COMPACTION_TIMEOUT = Duration.ofMinutes(1);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 200;

    private final URI endpoint;
    private final HttpClient http;

    private HttpEtcdMembers(URI endpoint, HttpClient http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    /**
     * @param endpoint       an etcd client URL, {@code https://host:2379}
     * @param certificatePem the client certificate (tls.crt of the API server's etcd client Secret)
     * @param privateKeyPem  its key (tls.key)
     * @param caPem          the etcd CA (ca.crt): the only issuer trusted for etcd's serving certificate
     * @throws EtcdException if the PEM cannot be read; the message never contains it
     */
    public static HttpEtcdMembers connect(URI endpoint, String certificatePem, String privateKeyPem, String caPem)
            throws EtcdException {
        SSLContext tls;
        try {
            tls = sslContext(
                    Pem.parseCertificates(certificatePem),
                    Pem.parsePrivateKey(privateKeyPem),
                    Pem.parseCertificates(caPem));
        } catch (PkiException e) {
            throw new EtcdException("cannot use the etcd client certificate: " + e.getMessage(), e);
        }
        // HTTP/1.1: etcd's gateway serves it on the client port, and no h2 upgrade is attempted.
        HttpClient http = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        return new HttpEtcdMembers(endpoint, http);
    }

    @Override
    public List<EtcdMember> list() throws EtcdException {
        JsonNode response = post("/v3/cluster/member/list", JSON.createObjectNode());
        List<EtcdMember> members = new ArrayList<>();
        for (JsonNode member : response.path("members")) {
            members.add(member(member));
        }
        return List.copyOf(members);
    }

    @Override
    public EtcdMember addLearner(String peerUrl) throws EtcdException {
        ObjectNode request = JSON.createObjectNode();
        request.putArray("peerURLs").add(peerUrl);
        request.put("isLearner", true);
        JsonNode added = post("/v3/cluster/member/add", request).path("member");
        if (added.isMissingNode()) {
            throw new EtcdException("etcd at " + endpoint + " answered member add without the new member");
        }
        return member(added);
    }

    @Override
    public void promote(String memberId) throws EtcdException {
        ObjectNode request = JSON.createObjectNode();
        request.put("ID", memberId);
        post("/v3/cluster/member/promote", request);
    }

    @Override
    public EtcdMemberStatus status() throws EtcdException {
        JsonNode response = post("/v3/maintenance/status", JSON.createObjectNode());
        return new EtcdMemberStatus(
                response.path("header").path("member_id").asText(),
                response.path("leader").asText("0"),
                response.path("header").path("revision").asLong(0),
                response.path("dbSize").asLong(0),
                response.path("dbSizeInUse").asLong(0),
                strings(response.path("errors")));
    }

    @Override
    public List<EtcdAlarm> alarms() throws EtcdException {
        ObjectNode request = JSON.createObjectNode();
        request.put("action", "GET");
        JsonNode response = post("/v3/maintenance/alarm", request);
        List<EtcdAlarm> alarms = new ArrayList<>();
        for (JsonNode alarm : response.path("alarms")) {
            // The gateway leaves out enum values at their default (NONE) and a member ID of 0.
            alarms.add(new EtcdAlarm(
                    alarm.path("memberID").asText("0"), alarm.path("alarm").asText("NONE")));
        }
        return List.copyOf(alarms);
    }

    @Override
    public void disarm(EtcdAlarm alarm) throws EtcdException {
        ObjectNode request = JSON.createObjectNode();
        request.put("action", "DEACTIVATE");
        request.put("memberID", alarm.memberId());
        request.put("alarm", alarm.type());
        post("/v3/maintenance/alarm", request);
    }

    @Override
    public void compact(long revision) throws EtcdException {
        ObjectNode request = JSON.createObjectNode();
        request.put("revision", Long.toString(revision));
        request.put("physical", true);
        post("/v3/kv/compaction", request, COMPACTION_TIMEOUT);
    }

    @Override
    public void defragment() throws EtcdException {
        post("/v3/maintenance/defragment", JSON.createObjectNode(), DEFRAGMENT_TIMEOUT);
    }

    @Override
    public EtcdMaintenance member(String clientUrl) throws EtcdException {
        try {
            return new HttpEtcdMembers(URI.create(clientUrl), http);
        } catch (IllegalArgumentException e) {
            throw new EtcdException("etcd lists a client URL that is not one: " + clientUrl);
        }
    }

    private JsonNode post(String path, JsonNode body) throws EtcdException {
        return post(path, body, REQUEST_TIMEOUT);
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws EtcdException {
        URI uri = endpoint.resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // TLS refusals and timeouts name the alert or the address, never certificate or key content.
            throw new EtcdException(
                    "cannot reach etcd at " + uri + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException("interrupted while calling etcd at " + uri, e);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        if (response.statusCode() != 200) {
            throw new EtcdException(
                    "etcd at " + uri + " answered HTTP " + response.statusCode() + ": "
                            + errorText(json, response.body()),
                    true);
        }
        if (json == null) {
            throw new EtcdException("etcd at " + uri + " answered something that is not JSON");
        }
        return json;
    }

    /** The gateway's error object carries etcd's message ("etcdserver: ..."); anything else is cut short. */
    private static String errorText(JsonNode json, String body) {
        String text = json == null
                ? body
                : json.path("message").asText(json.path("error").asText(body));
        text = text == null ? "" : text.strip();
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "...";
    }

    private static EtcdMember member(JsonNode member) {
        return new EtcdMember(
                member.path("ID").asText(),
                member.path("name").asText(""),
                strings(member.path("peerURLs")),
                strings(member.path("clientURLs")),
                member.path("isLearner").asBoolean(false));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** Shared with {@link HttpEtcdMaintenance}: the same client identity and trust. */
    static SSLContext sslContext(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted)
            throws EtcdException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trust.setCertificateEntry("etcd-ca-" + i, trusted.get(i));
            }
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new ClientIdentity(chain, key)}, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            // The key store's messages are about algorithms and entries, not their content.
            throw new EtcdException(
                    "cannot build TLS settings for etcd: " + e.getClass().getSimpleName(), e);
        }
    }
}
