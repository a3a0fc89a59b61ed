package dev.operator.sks.provider.exoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for the Exoscale compute API v2 on 127.0.0.1: it checks every request's EXO2-HMAC-SHA256 signature
 * (403 for a wrong key or secret, an expired or tampered request) with its own implementation of the scheme, and
 * models instance pools, their instances, asynchronous operations, scale, evict, update and delete, plus the
 * catalogs names resolve against (instance types, templates, security groups, anti-affinity groups, private
 * networks, deploy targets). Serves any path prefix ending in {@code /v2}, so a zone in the endpoint works.
 *
 * <p>It also models the IAM API v2: roles (with labels and a policy) and API keys under them. A key it makes signs
 * requests like the root key, until it is revoked; a role with keys left cannot be deleted.
 *
 * <p>Operations finish {@link #operationDelay} after they start, instances run {@link #bootDelay} after they are
 * made; both are observed on the next request. Scaling down removes the newest members.
 */
final class FakeExoscaleApi implements AutoCloseable {
    static final String API_KEY = "EXO0123456789abcdef01234567";
    static final String API_SECRET = "fake-exoscale-secret-9f8e7d6c5b4a";
    static final String UBUNTU = "Linux Ubuntu 24.04 LTS 64-bit";
    static final String DEBIAN = "Linux Debian 12 (Bookworm) 64-bit";
    static final int MAX_USER_DATA = 32 * 1024;

    private static final Pattern SCHEME = Pattern.compile("^EXO2-HMAC-SHA256 (.+)$");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ObjectMapper json = new ObjectMapper();
    private final Object lock = new Object();
    private final AtomicLong sequence = new AtomicLong();
    private final Instant epoch = Instant.parse("2030-01-01T00:00:00Z");

    volatile Duration operationDelay = Duration.ofMillis(100);
    volatile Duration bootDelay = Duration.ofMillis(150);
    volatile Clock clock = Clock.systemUTC();

    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final Map<String, Vm> instances = new LinkedHashMap<>();
    private final Map<String, Operation> operations = new LinkedHashMap<>();
    private final List<Map<String, Object>> instanceTypes = new ArrayList<>();
    private final List<Map<String, Object>> templates = new ArrayList<>();
    private final Map<String, List<Map<String, Object>>> references = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    /** Every valid key and its secret: the root key tests sign with, and the keys made through IAM. */
    private final Map<String, String> keySecrets = new ConcurrentHashMap<>(Map.of(API_KEY, API_SECRET));

    private final Map<String, Map<String, Object>> roles = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> apiKeys = new LinkedHashMap<>();
    private final Set<String> pathPrefixes = ConcurrentHashMap.newKeySet();
    private volatile Rejection nextRejection;
    private volatile String nextOperationFailure;

    private record Rejection(String route, int status, String message) {}

    static final class Pool {
        final String id = UUID.randomUUID().toString();
        String name;
        String state = "creating";
        int size;
        String instanceTypeId;
        String templateId;
        int diskSize;
        String userData;
        String prefix;
        Map<String, Object> labels;
        List<String> securityGroups = List.of();
        List<String> antiAffinityGroups = List.of();
        List<String> privateNetworks = List.of();
        String deployTarget;
        final List<String> members = new ArrayList<>(); // oldest first
    }

    static final class Vm {
        final String id = UUID.randomUUID().toString();
        String name;
        String poolId;
        String state = "starting";
        String publicIp;
        Instant createdAt;
        Instant bootAt;
    }

    private static final class Operation {
        final String id = UUID.randomUUID().toString();
        String state = "pending";
        String referenceId;
        String reason;
        String message;
        Instant doneAt;
        Runnable effect;
    }

    FakeExoscaleApi() throws IOException {
        for (InstanceType type : InstanceTypeCatalog.loadDefault().all()) {
            instanceTypes.add(Map.of(
                    "id",
                    UUID.randomUUID().toString(),
                    "family",
                    type.family(),
                    "size",
                    type.size(),
                    "cpus",
                    type.cpus(),
                    "memory",
                    (long) type.memoryMiB() * 1024 * 1024,
                    "gpus",
                    type.gpus(),
                    "authorized",
                    true));
        }
        templates.add(template(UBUNTU, "2030-01-01T00:00:00Z", "public"));
        templates.add(template(UBUNTU, "2030-06-01T00:00:00Z", "public")); // a newer build of the same template
        templates.add(template(DEBIAN, "2030-01-01T00:00:00Z", "public"));
        templates.add(template("my-node-image", "2030-01-01T00:00:00Z", "private"));
        references.put("security-group", new ArrayList<>(List.of(named("default"), named("sks-nodes"))));
        references.put("anti-affinity-group", new ArrayList<>(List.of(named("workers"))));
        references.put("private-network", new ArrayList<>(List.of(named("internal"))));
        references.put("deploy-target", new ArrayList<>(List.of(named("dedicated-1"))));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The API's URL; {@code prefix} (say {@code /{zone}}) goes before {@code /v2}. */
    String endpoint(String prefix) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + prefix + "/v2";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- what tests look at and arrange

    String templateId(String name) {
        synchronized (lock) {
            return templates.stream()
                    .filter(t -> name.equals(t.get("name")))
                    .max((a, b) -> ((String) a.get("created-at")).compareTo((String) b.get("created-at")))
                    .map(t -> (String) t.get("id"))
                    .orElseThrow();
        }
    }

    String instanceTypeId(String name) {
        synchronized (lock) {
            return instanceTypes.stream()
                    .filter(t -> name.equals(t.get("family") + "." + t.get("size")))
                    .map(t -> (String) t.get("id"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    String referenceId(String kind, String name) {
        synchronized (lock) {
            return references.get(kind).stream()
                    .filter(r -> name.equals(r.get("name")))
                    .map(r -> (String) r.get("id"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    List<Pool> poolsNamed(String name) {
        synchronized (lock) {
            advance();
            return pools.values().stream().filter(p -> p.name.equals(name)).toList();
        }
    }

    /** Instances of pools of that name, including those on their way out. */
    int instancesOfPoolsNamed(String name) {
        synchronized (lock) {
            advance();
            Set<String> ids = new LinkedHashSet<>();
            pools.values().stream().filter(p -> p.name.equals(name)).forEach(p -> ids.add(p.id));
            return (int) instances.values().stream()
                    .filter(i -> ids.contains(i.poolId))
                    .count();
        }
    }

    /** Requests answered (signature accepted), by {@code METHOD /path} with ids as {@code {id}}. */
    int requests(String route) {
        AtomicInteger count = requests.get(route);
        return count == null ? 0 : count.get();
    }

    Set<String> pathPrefixes() {
        return Set.copyOf(pathPrefixes);
    }

    /** The next signed request to {@code route} ({@code METHOD /path}) gets this error instead of its answer. */
    void rejectNext(String route, int status, String message) {
        nextRejection = new Rejection(route, status, message);
    }

    /** The next operation ends in failure with this message. */
    void failNextOperation(String message) {
        nextOperationFailure = message;
    }

    // ---- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int v2 = rawPath.indexOf("/v2/");
            if (v2 < 0) {
                respond(exchange, 404, Map.of("message", "not found"));
                return;
            }
            pathPrefixes.add(rawPath.substring(0, v2));
            Map<String, List<String>> query =
                    parseQuery(exchange.getRequestURI().getRawQuery());
            String refusal = verifySignature(
                    method, rawPath, query, body, exchange.getRequestHeaders().getFirst("Authorization"));
            if (refusal != null) {
                respond(exchange, 403, Map.of("message", refusal));
                return;
            }
            String path = rawPath.substring(v2 + 3);
            String route = method + " "
                    + path.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}").replaceAll("EXO[0-9a-f]{24}", "{key}");
            requests.computeIfAbsent(route, k -> new AtomicInteger()).incrementAndGet();
            Rejection rejection = nextRejection;
            if (rejection != null && rejection.route().equals(route)) {
                nextRejection = null;
                respond(exchange, rejection.status(), Map.of("message", rejection.message()));
                return;
            }
            Object answer;
            int status = 200;
            synchronized (lock) {
                advance();
                try {
                    answer = route(method, path, query, body.isEmpty() ? null : json.readTree(body));
                } catch (ApiError e) {
                    status = e.status;
                    answer = Map.of("message", e.getMessage());
                }
            }
            respond(exchange, status, answer);
        } catch (RuntimeException e) {
            respond(exchange, 500, Map.of("message", "fake failure: " + e));
        }
    }

    private void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    /** Our own reading of the scheme (not the provider's code): null when the request is properly signed. */
    private String verifySignature(
            String method, String rawPath, Map<String, List<String>> query, String body, String authorization) {
        if (authorization == null) {
            return "missing Authorization header";
        }
        Matcher scheme = SCHEME.matcher(authorization);
        if (!scheme.matches()) {
            return "unsupported authorization scheme";
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : scheme.group(1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq).trim(), part.substring(eq + 1));
            }
        }
        String secret = fields.get("credential") == null ? null : keySecrets.get(fields.get("credential"));
        if (secret == null) {
            return "invalid API key";
        }
        long expires;
        try {
            expires = Long.parseLong(fields.getOrDefault("expires", ""));
        } catch (NumberFormatException e) {
            return "missing or malformed expiration";
        }
        if (expires < clock.instant().getEpochSecond()) {
            return "request expired";
        }
        List<String> signedNames = fields.containsKey("signed-query-args")
                ? List.of(fields.get("signed-query-args").split(";"))
                : List.of();
        TreeSet<String> singleValued = new TreeSet<>();
        query.forEach((name, values) -> {
            if (values.size() == 1) {
                singleValued.add(name);
            }
        });
        if (!new TreeSet<>(signedNames).equals(singleValued)) {
            return "query parameters " + singleValued + " are not the signed ones " + signedNames;
        }
        StringBuilder values = new StringBuilder();
        signedNames.forEach(name -> values.append(query.get(name).get(0)));
        String message = method + " " + rawPath + "\n" + body + "\n" + values + "\n" + "\n" + expires;
        String expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            expected = Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String given = fields.getOrDefault("signature", "");
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            return "invalid signature";
        }
        return null;
    }

    // ---- the model

    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Object route(String method, String path, Map<String, List<String>> query, JsonNode body) {
        String[] parts = path.substring(1).split("/");
        String kind = parts[0];
        String id = parts.length > 1 ? parts[1] : null;
        String action = null;
        if (id != null && id.contains(":")) {
            action = id.substring(id.indexOf(':') + 1);
            id = id.substring(0, id.indexOf(':'));
        }
        switch (method + " " + kind + (id == null ? "" : "/{id}") + (action == null ? "" : ":" + action)) {
            case "GET instance-type":
                return Map.of("instance-types", instanceTypes);
            case "GET template": {
                String visibility =
                        query.getOrDefault("visibility", List.of("public")).get(0);
                return Map.of(
                        "templates",
                        templates.stream()
                                .filter(t -> visibility.equals(t.get("visibility")))
                                .toList());
            }
            case "GET security-group", "GET anti-affinity-group", "GET private-network", "GET deploy-target":
                return Map.of(kind + "s", references.get(kind));
            case "GET instance-pool":
                return Map.of(
                        "instance-pools",
                        pools.values().stream().map(this::poolJson).toList());
            case "POST instance-pool":
                return createPool(body);
            case "GET instance-pool/{id}":
                return poolJson(pool(id));
            case "PUT instance-pool/{id}":
                return updatePool(pool(id), body);
            case "PUT instance-pool/{id}:scale":
                return scalePool(pool(id), body);
            case "PUT instance-pool/{id}:evict":
                return evictMembers(pool(id), body);
            case "DELETE instance-pool/{id}":
                return deletePool(pool(id));
            case "GET operation/{id}": {
                Operation operation = operations.get(id);
                if (operation == null) {
                    throw new ApiError(404, "operation " + id + " not found");
                }
                return operationJson(operation);
            }
            case "GET instance": {
                String managerId = query.containsKey("manager-id")
                        ? query.get("manager-id").get(0)
                        : null;
                return Map.of(
                        "instances",
                        instances.values().stream()
                                .filter(i -> managerId == null || managerId.equals(i.poolId))
                                .map(this::instanceJson)
                                .toList());
            }
            case "GET instance/{id}": {
                Vm vm = instances.get(id);
                if (vm == null) {
                    throw new ApiError(404, "instance " + id + " not found");
                }
                return instanceJson(vm);
            }
            case "GET iam-role":
                return Map.of("iam-roles", List.copyOf(roles.values()));
            case "POST iam-role":
                return createRole(body);
            case "DELETE iam-role/{id}":
                return deleteRole(id);
            case "GET api-key":
                return Map.of("api-keys", List.copyOf(apiKeys.values()));
            case "POST api-key":
                return createApiKey(body);
            case "DELETE api-key/{id}":
                return revokeApiKey(id);
            default:
                throw new ApiError(404, "no such endpoint: " + method + " " + path);
        }
    }

    // ---- IAM

    private Object createRole(JsonNode body) {
        if (body == null || body.path("name").asText("").isEmpty()) {
            throw new ApiError(400, "name is required");
        }
        JsonNode policy = body.path("policy");
        if (!policy.path("default-service-strategy").isTextual()
                || !policy.path("services").isObject()) {
            throw new ApiError(400, "policy needs default-service-strategy and services");
        }
        Map<String, Object> role = new LinkedHashMap<>();
        String id = UUID.randomUUID().toString();
        role.put("id", id);
        role.put("name", body.path("name").asText());
        role.put("description", body.path("description").asText(""));
        role.put("editable", body.path("editable").asBoolean(true));
        role.put("labels", json.convertValue(body.path("labels"), Map.class));
        role.put("policy", json.convertValue(policy, Map.class));
        return operation(id, () -> roles.put(id, role));
    }

    private Object deleteRole(String id) {
        if (!roles.containsKey(id)) {
            throw new ApiError(404, "IAM role " + id + " not found");
        }
        if (apiKeys.values().stream().anyMatch(k -> id.equals(k.get("role-id")))) {
            throw new ApiError(409, "IAM role " + id + " still has API keys");
        }
        return operation(id, () -> roles.remove(id));
    }

    private Object createApiKey(JsonNode body) {
        String roleId = body == null ? "" : body.path("role-id").asText("");
        if (!roles.containsKey(roleId)) {
            throw new ApiError(404, "IAM role " + roleId + " not found");
        }
        String key = "EXO" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
        Map<String, Object> listed = new LinkedHashMap<>();
        listed.put("key", key);
        listed.put("name", body.path("name").asText(""));
        listed.put("role-id", roleId);
        apiKeys.put(key, listed);
        keySecrets.put(key, secret);
        Map<String, Object> created = new LinkedHashMap<>(listed);
        created.put("secret", secret); // shown once, as Exoscale does
        return created;
    }

    private Object revokeApiKey(String key) {
        if (!apiKeys.containsKey(key)) {
            throw new ApiError(404, "API key " + key + " not found");
        }
        apiKeys.remove(key);
        keySecrets.remove(key);
        return operation(key, () -> {});
    }

    /** Roles as the API lists them. */
    List<Map<String, Object>> roles() {
        synchronized (lock) {
            advance();
            return List.copyOf(roles.values());
        }
    }

    /** API keys made through IAM and not revoked, as the API lists them (without secrets). */
    List<Map<String, Object>> apiKeys() {
        synchronized (lock) {
            return List.copyOf(apiKeys.values());
        }
    }

    private Pool pool(String id) {
        Pool pool = pools.get(id);
        if (pool == null) {
            throw new ApiError(404, "instance pool " + id + " not found");
        }
        return pool;
    }

    private Object createPool(JsonNode body) {
        if (body == null || body.path("name").asText("").isEmpty()) {
            throw new ApiError(400, "name is required");
        }
        Pool pool = new Pool();
        pool.name = body.path("name").asText();
        pool.size = size(body);
        pool.instanceTypeId = knownId(body.path("instance-type"), instanceTypes, "instance type");
        pool.templateId = knownId(body.path("template"), templates, "template");
        pool.diskSize = body.path("disk-size").asInt(0);
        if (pool.diskSize < 10 || pool.diskSize > 51200) {
            throw new ApiError(400, "disk-size must be between 10 and 51200");
        }
        pool.userData = userData(body);
        pool.prefix = body.path("instance-prefix").asText("pool");
        pool.labels = json.convertValue(body.path("labels"), Map.class);
        pool.securityGroups = ids(body.path("security-groups"), "security-group");
        pool.antiAffinityGroups = ids(body.path("anti-affinity-groups"), "anti-affinity-group");
        pool.privateNetworks = ids(body.path("private-networks"), "private-network");
        if (body.has("deploy-target")) {
            pool.deployTarget = knownId(body.path("deploy-target"), references.get("deploy-target"), "deploy target");
        }
        pools.put(pool.id, pool);
        return operation(pool.id, () -> {
            resize(pool, pool.size);
            pool.state = "running";
        });
    }

    private Object updatePool(Pool pool, JsonNode body) {
        if (body.has("instance-type")) {
            pool.instanceTypeId = knownId(body.path("instance-type"), instanceTypes, "instance type");
        }
        if (body.has("template")) {
            pool.templateId = knownId(body.path("template"), templates, "template");
        }
        if (body.has("disk-size")) {
            pool.diskSize = body.path("disk-size").asInt();
        }
        if (body.has("user-data")) {
            pool.userData = userData(body);
        }
        return operation(pool.id, () -> {});
    }

    private Object scalePool(Pool pool, JsonNode body) {
        int size = size(body);
        pool.state = size >= pool.size ? "scaling-up" : "scaling-down";
        pool.size = size;
        return operation(pool.id, () -> {
            resize(pool, pool.size);
            pool.state = "running";
        });
    }

    private Object evictMembers(Pool pool, JsonNode body) {
        List<String> evicted = new ArrayList<>();
        for (JsonNode id : body.path("instances")) {
            if (!id.isTextual() || !pool.members.contains(id.asText())) {
                throw new ApiError(400, "instance " + id + " is not a member of instance pool " + pool.id);
            }
            evicted.add(id.asText());
        }
        if (evicted.isEmpty()) {
            throw new ApiError(400, "instances is required");
        }
        pool.state = "scaling-down";
        pool.size -= evicted.size();
        pool.members.removeAll(evicted);
        evicted.forEach(id -> instances.get(id).state = "destroying");
        return operation(pool.id, () -> {
            evicted.forEach(instances::remove);
            pool.state = "running";
        });
    }

    private Object deletePool(Pool pool) {
        pool.state = "destroying";
        return operation(pool.id, () -> {
            instances.values().removeIf(i -> pool.id.equals(i.poolId));
            pools.remove(pool.id);
        });
    }

    private void resize(Pool pool, int size) {
        Instant now = clock.instant();
        while (pool.members.size() < size) {
            Vm vm = new Vm();
            vm.name = pool.prefix + "-"
                    + UUID.randomUUID().toString().replace("-", "").substring(0, 5);
            vm.poolId = pool.id;
            vm.createdAt = epoch.plusMillis(sequence.incrementAndGet());
            vm.bootAt = now.plus(bootDelay);
            long n = sequence.get();
            vm.publicIp = "194.182." + ((n >> 8) & 0xff) + "." + (n & 0xff);
            instances.put(vm.id, vm);
            pool.members.add(vm.id);
        }
        while (pool.members.size() > size) {
            instances.remove(pool.members.remove(pool.members.size() - 1));
        }
    }

    private Map<String, Object> operation(String referenceId, Runnable effect) {
        Operation operation = new Operation();
        operation.referenceId = referenceId;
        operation.doneAt = clock.instant().plus(operationDelay);
        String failure = nextOperationFailure;
        if (failure != null) {
            nextOperationFailure = null;
            operation.effect = () -> {
                operation.reason = "unavailable";
                operation.message = failure;
            };
        } else {
            operation.effect = effect;
        }
        operations.put(operation.id, operation);
        advance();
        return operationJson(operation);
    }

    /** Finishes the operations that are due and starts the instances that have booted. */
    private void advance() {
        Instant now = clock.instant();
        for (Operation operation : operations.values()) {
            if ("pending".equals(operation.state) && !now.isBefore(operation.doneAt)) {
                operation.effect.run();
                operation.state = operation.reason == null ? "success" : "failure";
            }
        }
        for (Vm vm : instances.values()) {
            if ("starting".equals(vm.state) && !now.isBefore(vm.bootAt)) {
                vm.state = "running";
            }
        }
    }

    private Map<String, Object> operationJson(Operation operation) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", operation.id);
        out.put("state", operation.state);
        out.put(
                "reference",
                Map.of(
                        "id",
                        operation.referenceId,
                        "link",
                        "/v2/instance-pool/" + operation.referenceId,
                        "command",
                        "get-instance-pool"));
        if (operation.reason != null) {
            out.put("reason", operation.reason);
            out.put("message", operation.message);
        }
        return out;
    }

    private Map<String, Object> poolJson(Pool pool) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", pool.id);
        out.put("name", pool.name);
        out.put("state", pool.state);
        out.put("size", pool.size);
        out.put("instance-type", Map.of("id", pool.instanceTypeId));
        out.put("template", Map.of("id", pool.templateId));
        out.put("disk-size", pool.diskSize);
        if (pool.userData != null) {
            out.put("user-data", pool.userData);
        }
        out.put("instance-prefix", pool.prefix);
        if (pool.labels != null) {
            out.put("labels", pool.labels);
        }
        out.put(
                "security-groups",
                pool.securityGroups.stream().map(id -> Map.of("id", id)).toList());
        out.put(
                "anti-affinity-groups",
                pool.antiAffinityGroups.stream().map(id -> Map.of("id", id)).toList());
        out.put(
                "private-networks",
                pool.privateNetworks.stream().map(id -> Map.of("id", id)).toList());
        if (pool.deployTarget != null) {
            out.put("deploy-target", Map.of("id", pool.deployTarget));
        }
        out.put("instances", pool.members.stream().map(id -> Map.of("id", id)).toList());
        return out;
    }

    private Map<String, Object> instanceJson(Vm vm) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", vm.id);
        out.put("name", vm.name);
        out.put("state", vm.state);
        out.put("public-ip", vm.publicIp);
        out.put("created-at", vm.createdAt.toString());
        out.put("manager", Map.of("id", vm.poolId, "type", "instance-pool"));
        return out;
    }

    private static int size(JsonNode body) {
        if (body == null
                || !body.path("size").canConvertToInt()
                || body.path("size").asInt() < 0) {
            throw new ApiError(400, "size must be a number, 0 or more");
        }
        return body.path("size").asInt();
    }

    private String userData(JsonNode body) {
        if (!body.has("user-data")) {
            return null;
        }
        String data = body.path("user-data").asText();
        if (data.length() > MAX_USER_DATA) {
            throw new ApiError(400, "user-data is too long");
        }
        try {
            Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "user-data must be base64-encoded");
        }
        return data;
    }

    private static String knownId(JsonNode reference, List<Map<String, Object>> known, String what) {
        String id = reference.path("id").asText("");
        if (known.stream().noneMatch(item -> id.equals(item.get("id")))) {
            throw new ApiError(400, what + " " + (id.isEmpty() ? "(none)" : id) + " does not exist");
        }
        return id;
    }

    private List<String> ids(JsonNode references, String kind) {
        List<String> ids = new ArrayList<>();
        for (JsonNode reference : references) {
            ids.add(knownId(reference, this.references.get(kind), kind));
        }
        return ids;
    }

    private static Map<String, Object> template(String name, String createdAt, String visibility) {
        return Map.of(
                "id",
                UUID.randomUUID().toString(),
                "name",
                name,
                "created-at",
                createdAt,
                "visibility",
                visibility,
                "family",
                "linux");
    }

    private static Map<String, Object> named(String name) {
        return Map.of("id", UUID.randomUUID().toString(), "name", name);
    }
}
