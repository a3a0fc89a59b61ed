package dev.operator.sks.provider.exoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instance pools of the Exoscale compute API v2, in the pool's zone. The Exoscale pool carries the InstancePool's
 * name, so a pool whose id was lost (say, a status that never got written) is found by name instead of made twice.
 *
 * <p>Exoscale's operations are asynchronous: each change waits a few seconds for its operation and then returns
 * what exists; a later call picks up where it left. Names of instance types, templates, security groups,
 * anti-affinity groups, private networks and deploy targets are resolved to ids and cached.
 */
public final class ExoscaleProvider implements ComputeProvider {
    public static final String NAME = "exoscale";
    /** Exoscale's limit on an instance's user-data, base64-encoded. */
    static final int MAX_USER_DATA_BASE64 = 32 * 1024;

    static final Duration OPERATION_WAIT = Duration.ofSeconds(10);
    static final Duration OPERATION_POLL = Duration.ofMillis(500);
    /** Instance types and templates change rarely; names of groups and networks may be re-pointed sooner. */
    static final Duration CATALOG_TTL = Duration.ofHours(1);

    static final Duration REFERENCE_TTL = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(ExoscaleProvider.class);
    private static final Pattern UUID =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-" + "[0-9a-fA-F]{12}$");

    private record CachedId(String id, Instant until) {}

    private final HttpClient http;
    private final String endpointTemplate;
    private final ExoscaleCredentialsSource credentials;
    private final String defaultTemplate;
    private final Clock clock;
    private final Duration operationWait;
    private final Duration operationPoll;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, ExoscaleApi> apiByZone = new ConcurrentHashMap<>();
    private final Map<String, CachedId> ids = new ConcurrentHashMap<>();

    /**
     * @param endpointTemplate the API v2 URL, {@code {zone}} standing for the pool's zone
     * @param defaultTemplate the template (name or id) of pools that name none
     */
    public ExoscaleProvider(
            String endpointTemplate, ExoscaleCredentialsSource credentials, String defaultTemplate, Clock clock) {
        this(
                ExoscaleApi.newHttpClient(),
                endpointTemplate,
                credentials,
                defaultTemplate,
                clock,
                OPERATION_WAIT,
                OPERATION_POLL);
    }

    ExoscaleProvider(
            HttpClient http,
            String endpointTemplate,
            ExoscaleCredentialsSource credentials,
            String defaultTemplate,
            Clock clock,
            Duration operationWait,
            Duration operationPoll) {
        this.http = http;
        this.endpointTemplate = endpointTemplate;
        this.credentials = credentials;
        this.defaultTemplate = defaultTemplate;
        this.clock = clock;
        this.operationWait = operationWait;
        this.operationPoll = operationPoll;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderPool reconcile(DesiredPool desired) throws ProviderException {
        ExoscaleApi api = api(desired);
        Optional<JsonNode> found = findPool(api, desired, false);
        if (found.isEmpty()) {
            return create(api, desired);
        }
        JsonNode pool = found.get();
        String id = pool.path("id").asText();
        if ("destroying".equals(pool.path("state").asText())) {
            throw new ProviderException("Exoscale instance pool " + desired.poolName() + " (" + id
                    + ") is being deleted; a new one is made once it is gone");
        }
        updateChangedSettings(api, desired, pool);
        if (pool.path("size").asInt(-1) != desired.size()) {
            LOG.info(
                    "scaling Exoscale instance pool {} ({}) from {} to {}",
                    desired.poolName(),
                    id,
                    pool.path("size").asInt(),
                    desired.size());
            awaitOperation(api, api.put(poolPath(id) + ":scale", Map.of("size", desired.size())), "scale " + id);
            pool = api.find(poolPath(id)).orElse(pool);
        }
        return describe(api, pool);
    }

    @Override
    public ProviderPool evict(DesiredPool desired, Collection<String> instanceNames) throws ProviderException {
        ExoscaleApi api = api(desired);
        Optional<JsonNode> found = findPool(api, desired, false);
        if (found.isEmpty()) {
            return ProviderPool.absent();
        }
        String id = found.get().path("id").asText();
        ProviderPool current = describe(api, found.get());
        Set<String> names = Set.copyOf(instanceNames);
        List<String> evicted = current.members().stream()
                .filter(i -> names.contains(i.name()))
                .map(ProviderInstance::id)
                .toList();
        if (evicted.isEmpty()) {
            return current;
        }
        LOG.info("evicting {} member(s) of Exoscale instance pool {} ({})", evicted.size(), desired.poolName(), id);
        awaitOperation(api, api.put(poolPath(id) + ":evict", Map.of("instances", evicted)), "evict from " + id);
        return describe(api, api.find(poolPath(id)).orElse(found.get()));
    }

    @Override
    public boolean delete(DesiredPool desired) throws ProviderException {
        ExoscaleApi api = api(desired);
        Optional<JsonNode> found = findPool(api, desired, true);
        if (found.isEmpty()) {
            return true;
        }
        String id = found.get().path("id").asText();
        if (!"destroying".equals(found.get().path("state").asText())) {
            LOG.info("deleting Exoscale instance pool {} ({})", desired.poolName(), id);
            try {
                awaitOperation(api, api.delete(poolPath(id)), "delete " + id);
            } catch (ExoscaleApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        return findPool(api, desired.withProviderId(id), true).isEmpty();
    }

    private ProviderPool create(ExoscaleApi api, DesiredPool desired) throws ProviderException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", desired.poolName());
        body.put("description", "nodes of SKS cluster " + desired.cluster() + " (" + desired.key() + ")");
        body.put("size", desired.size());
        body.put("instance-type", Map.of("id", instanceTypeId(api, desired)));
        body.put("template", Map.of("id", templateId(api, desired)));
        body.put("disk-size", desired.diskSizeGib());
        body.put("instance-prefix", desired.instancePrefix());
        body.put("labels", Labels.forExoscalePool(desired.namespace(), desired.cluster()));
        userData(desired).ifPresent(data -> body.put("user-data", data));
        putReferences(api, desired, body, "security-groups", "security-group", desired.securityGroups());
        putReferences(api, desired, body, "anti-affinity-groups", "anti-affinity-group", desired.antiAffinityGroups());
        putReferences(api, desired, body, "private-networks", "private-network", desired.privateNetworks());
        if (desired.deployTarget().isPresent()) {
            body.put(
                    "deploy-target",
                    Map.of(
                            "id",
                            referenceId(
                                    api,
                                    desired,
                                    "deploy-target",
                                    "deploy-targets",
                                    desired.deployTarget().get())));
        }
        LOG.info(
                "creating Exoscale instance pool {} of {} {} in {}",
                desired.poolName(),
                desired.size(),
                desired.instanceType().name(),
                desired.zone());
        JsonNode operation = api.post("/instance-pool", body);
        String id = operation.path("reference").path("id").asText("");
        JsonNode finished = awaitOperation(api, operation, "create " + desired.poolName());
        if (id.isEmpty()) {
            id = finished.path("reference").path("id").asText("");
        }
        if (id.isEmpty()) {
            throw new ProviderException("Exoscale accepted instance pool " + desired.poolName()
                    + " without naming its id; it is looked up by name on the next attempt");
        }
        Optional<JsonNode> pool = api.find(poolPath(id));
        return pool.isPresent() ? describe(api, pool.get()) : new ProviderPool(id, List.of());
    }

    /** Settings new members are made with: changing them on the pool affects only members made afterwards. */
    private void updateChangedSettings(ExoscaleApi api, DesiredPool desired, JsonNode pool) throws ProviderException {
        Map<String, Object> changes = new LinkedHashMap<>();
        String typeId = instanceTypeId(api, desired);
        if (pool.path("instance-type").hasNonNull("id")
                && !typeId.equals(pool.path("instance-type").path("id").asText())) {
            changes.put("instance-type", Map.of("id", typeId));
        }
        String templateId = templateId(api, desired);
        if (pool.path("template").hasNonNull("id")
                && !templateId.equals(pool.path("template").path("id").asText())) {
            changes.put("template", Map.of("id", templateId));
        }
        if (pool.hasNonNull("disk-size") && pool.path("disk-size").asInt() != desired.diskSizeGib()) {
            changes.put("disk-size", desired.diskSizeGib());
        }
        // A rotated bootstrap token changes the user-data: members made from then on must get the new one.
        Optional<String> userData = userData(desired);
        if (userData.isPresent()
                && !userData.get().equals(pool.path("user-data").asText(""))) {
            changes.put("user-data", userData.get());
        }
        if (!changes.isEmpty()) {
            String id = pool.path("id").asText();
            LOG.info("updating {} of Exoscale instance pool {} ({})", changes.keySet(), desired.poolName(), id);
            awaitOperation(api, api.put(poolPath(id), changes), "update " + id);
        }
    }

    /**
     * The pool by its id when we have one, else by name (so a lost id never makes a second pool). Pools being
     * deleted count only when asked for.
     */
    private Optional<JsonNode> findPool(ExoscaleApi api, DesiredPool desired, boolean includeDestroying)
            throws ProviderException {
        if (desired.providerId().isPresent()) {
            Optional<JsonNode> byId = api.find(poolPath(desired.providerId().get()));
            if (byId.isPresent()
                    && desired.poolName().equals(byId.get().path("name").asText())) {
                return byId;
            }
        }
        List<String> matching = new ArrayList<>();
        for (JsonNode pool : api.get("/instance-pool").path("instance-pools")) {
            if (desired.poolName().equals(pool.path("name").asText())
                    && (includeDestroying
                            || !"destroying".equals(pool.path("state").asText()))) {
                matching.add(pool.path("id").asText());
            }
        }
        if (matching.size() > 1) {
            LOG.warn(
                    "{} Exoscale instance pools are named {}: using {}",
                    matching.size(),
                    desired.poolName(),
                    matching.get(0));
        }
        return matching.isEmpty() ? Optional.empty() : api.find(poolPath(matching.get(0)));
    }

    /**
     * The pool's members with their details, in one listing of the instances it manages; a member missing from the
     * listing (made a moment ago) is read on its own.
     */
    private ProviderPool describe(ExoscaleApi api, JsonNode pool) throws ProviderException {
        String id = pool.path("id").asText();
        Map<String, JsonNode> managed = new LinkedHashMap<>();
        for (JsonNode instance : api.get("/instance", Map.of("manager-id", id, "manager-type", "instance-pool"))
                .path("instances")) {
            managed.put(instance.path("id").asText(), instance);
        }
        List<JsonNode> details = new ArrayList<>();
        for (JsonNode member : pool.path("instances")) {
            String memberId = member.path("id").asText();
            JsonNode listed = managed.remove(memberId);
            if (listed != null) {
                details.add(listed);
            } else {
                api.find("/instance/" + memberId).ifPresent(details::add);
            }
        }
        details.addAll(managed.values()); // left the pool, not yet gone
        List<ProviderInstance> instances = details.stream()
                .sorted(Comparator.comparing(
                                (JsonNode i) -> i.path("created-at").asText(""))
                        .thenComparing(i -> i.path("name").asText("")))
                .map(ExoscaleProvider::toInstance)
                .toList();
        return new ProviderPool(id, instances);
    }

    private static ProviderInstance toInstance(JsonNode instance) {
        List<String> addresses = new ArrayList<>();
        for (String field : List.of("public-ip", "ipv6-address")) {
            String address = instance.path(field).asText("");
            if (!address.isEmpty()) {
                addresses.add(address);
            }
        }
        return new ProviderInstance(
                instance.path("id").asText(),
                instance.path("name").asText(),
                state(instance.path("state").asText("")),
                addresses);
    }

    static InstanceState state(String exoscaleState) {
        return switch (exoscaleState) {
            case "running", "migrating" -> InstanceState.Running;
            case "stopping", "stopped", "destroying", "destroyed", "expunging" -> InstanceState.Stopping;
            case "error" -> InstanceState.Failed;
            default -> InstanceState.Starting;
        };
    }

    private JsonNode awaitOperation(ExoscaleApi api, JsonNode operation, String what) throws ProviderException {
        return api.awaitOperation(operation, what, operationWait, operationPoll);
    }

    private String instanceTypeId(ExoscaleApi api, DesiredPool desired) throws ProviderException {
        String family = desired.instanceType().family();
        String size = desired.instanceType().size();
        String key = desired.zone() + "/instance-type/" + desired.instanceType().name();
        Optional<String> cached = cached(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        for (JsonNode type : api.get("/instance-type").path("instance-types")) {
            if (family.equals(type.path("family").asText())
                    && size.equals(type.path("size").asText())) {
                return remember(key, type.path("id").asText(), CATALOG_TTL);
            }
        }
        throw new ProviderException(
                "Exoscale offers no instance type " + desired.instanceType().name() + " in zone " + desired.zone());
    }

    private String templateId(ExoscaleApi api, DesiredPool desired) throws ProviderException {
        String template = desired.template().isEmpty() ? defaultTemplate : desired.template();
        if (template == null || template.isBlank()) {
            throw new ImageRejectedException("instance pool " + desired.key() + " names no template and the operator "
                    + "has no default: set the Nodepool's spec.template or the operator's --exoscale-template");
        }
        if (UUID.matcher(template).matches()) {
            return template;
        }
        String key = desired.zone() + "/template/" + template;
        Optional<String> cached = cached(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        for (String visibility : List.of("public", "private")) {
            Optional<JsonNode> newest = stream(api.get("/template", Map.of("visibility", visibility))
                            .path("templates"))
                    .filter(t -> template.equals(t.path("name").asText()))
                    .max(Comparator.comparing(t -> t.path("created-at").asText("")));
            if (newest.isPresent()) {
                return remember(key, newest.get().path("id").asText(), CATALOG_TTL);
            }
        }
        throw new ImageRejectedException("Exoscale has no template named '" + template + "' in zone " + desired.zone()
                + ": set the Nodepool's spec.template to a template of that zone (name or id)");
    }

    private void putReferences(
            ExoscaleApi api,
            DesiredPool desired,
            Map<String, Object> body,
            String field,
            String kind,
            List<String> namesOrIds)
            throws ProviderException {
        if (namesOrIds.isEmpty()) {
            return;
        }
        List<Map<String, String>> references = new ArrayList<>();
        for (String nameOrId : namesOrIds) {
            references.add(Map.of("id", referenceId(api, desired, kind, field, nameOrId)));
        }
        body.put(field, references);
    }

    /** An id as is, or the id of the object of that kind and name. */
    private String referenceId(ExoscaleApi api, DesiredPool desired, String kind, String listField, String nameOrId)
            throws ProviderException {
        if (UUID.matcher(nameOrId).matches()) {
            return nameOrId;
        }
        String key = desired.zone() + "/" + kind + "/" + nameOrId;
        Optional<String> cached = cached(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        for (JsonNode item : api.get("/" + kind).path(listField)) {
            if (nameOrId.equals(item.path("name").asText())) {
                return remember(key, item.path("id").asText(), REFERENCE_TTL);
            }
        }
        throw new ProviderException("Exoscale has no " + kind + " named '" + nameOrId + "' in zone " + desired.zone());
    }

    private Optional<String> cached(String key) {
        CachedId entry = ids.get(key);
        return entry != null && clock.instant().isBefore(entry.until()) ? Optional.of(entry.id()) : Optional.empty();
    }

    private String remember(String key, String id, Duration ttl) {
        ids.put(key, new CachedId(id, clock.instant().plus(ttl)));
        return id;
    }

    private static Optional<String> userData(DesiredPool desired) throws ProviderException {
        if (desired.userData().isEmpty()) {
            return Optional.empty();
        }
        String encoded = Base64.getEncoder().encodeToString(desired.userData().getBytes(StandardCharsets.UTF_8));
        if (encoded.length() > MAX_USER_DATA_BASE64) {
            throw new ProviderException("the user-data of " + desired.poolName() + " is " + encoded.length()
                    + " bytes once base64-encoded, more than Exoscale's limit of " + MAX_USER_DATA_BASE64);
        }
        return Optional.of(encoded);
    }

    private ExoscaleApi api(DesiredPool desired) throws ProviderException {
        if (desired.zone().isBlank()) {
            throw new ProviderException("instance pool " + desired.key() + " names no zone");
        }
        return apiByZone.computeIfAbsent(
                desired.zone(),
                zone -> new ExoscaleApi(http, endpointTemplate.replace("{zone}", zone), credentials, clock, json));
    }

    private static String poolPath(String id) {
        return "/instance-pool/" + id;
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items.stream();
    }
}
