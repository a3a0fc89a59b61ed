package dev.operator.sks.provider.exoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.provider.ProviderException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials for the Exoscale cloud controller of one cluster, through the Exoscale IAM API v2: one role per cluster
 * whose policy allows only the compute operations the cloud controller calls, and API keys under it. The role carries
 * the cluster's UID as a label, which is how it is found again; the operator's own key (which needs IAM rights) never
 * leaves the management cluster.
 */
public final class ExoscaleCcmCredentials implements CloudControllerCredentials {
    /** Label on the role: the UID of the cluster it was made for. */
    static final String CLUSTER_UID_LABEL = Labels.PREFIX + "cluster-uid";

    /**
     * What the cloud controller calls: its node controller reads instances, their types and zones; its service
     * controller manages network load balancers and their services, reads the instance pools behind them, and waits
     * for operations. Nothing else (no instance creation, no IAM, no other product).
     */
    static final List<String> CCM_OPERATIONS = List.of(
            "add-service-to-load-balancer",
            "create-load-balancer",
            "delete-load-balancer",
            "delete-load-balancer-service",
            "get-instance",
            "get-instance-pool",
            "get-instance-type",
            "get-load-balancer",
            "get-load-balancer-service",
            "get-operation",
            "list-instances",
            "list-load-balancers",
            "list-zones",
            "reset-load-balancer-field",
            "reset-load-balancer-service-field",
            "update-load-balancer",
            "update-load-balancer-service");

    private final HttpClient http;
    private final String endpointTemplate;
    private final ExoscaleCredentialsSource credentials;
    private final Clock clock;
    private final Duration operationWait;
    private final Duration operationPoll;
    private final ObjectMapper json = new ObjectMapper();

    /** @param endpointTemplate the API v2 URL, {@code {zone}} standing for the cluster's zone */
    public ExoscaleCcmCredentials(String endpointTemplate, ExoscaleCredentialsSource credentials, Clock clock) {
        this(
                ExoscaleApi.newHttpClient(),
                endpointTemplate,
                credentials,
                clock,
                ExoscaleProvider.OPERATION_WAIT,
                ExoscaleProvider.OPERATION_POLL);
    }

    ExoscaleCcmCredentials(
            HttpClient http,
            String endpointTemplate,
            ExoscaleCredentialsSource credentials,
            Clock clock,
            Duration operationWait,
            Duration operationPoll) {
        this.http = http;
        this.endpointTemplate = endpointTemplate;
        this.credentials = credentials;
        this.clock = clock;
        this.operationWait = operationWait;
        this.operationPoll = operationPoll;
    }

    /** The policy of a cluster's role: deny by default, allow the cloud controller's compute operations. */
    static Map<String, Object> policy() {
        String expression = CCM_OPERATIONS.stream()
                .map(operation -> "'" + operation + "'")
                .collect(java.util.stream.Collectors.joining(", ", "operation in [", "]"));
        return Map.of(
                "default-service-strategy",
                "deny",
                "services",
                Map.of(
                        "compute",
                        Map.of(
                                "type",
                                "rules",
                                "rules",
                                List.of(Map.of("expression", expression, "action", "allow")))));
    }

    /** The role's name, for people: IAM names need not be unique, so the UID label is what identifies it. */
    static String roleName(Cluster cluster) {
        return "sks-" + cluster.namespace() + "-" + cluster.name() + "-ccm";
    }

    @Override
    public Form form() {
        return Form.API_KEY;
    }

    @Override
    public IssuedKey issue(Cluster cluster, String keyName) throws ProviderException {
        ExoscaleApi api = api(cluster);
        String roleId = findRole(api, cluster).orElse(null);
        if (roleId == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", roleName(cluster));
            body.put("description", "cloud controller of SKS cluster " + cluster.namespace() + "/" + cluster.name());
            body.put("editable", false);
            body.put("labels", Map.of(CLUSTER_UID_LABEL, cluster.uid()));
            body.put("policy", policy());
            JsonNode done = api.awaitOperation(
                    api.post("/iam-role", body), "create IAM role " + roleName(cluster), operationWait, operationPoll);
            roleId = done.path("reference").path("id").asText("");
            if (roleId.isEmpty()) {
                throw new ProviderException("Exoscale IAM did not say which role it made for " + roleName(cluster)
                        + " (operation " + done.path("state").asText("?") + "); trying again");
            }
        }
        JsonNode key = api.post("/api-key", Map.of("name", keyName, "role-id", roleId));
        String keyId = key.path("key").asText("");
        String secret = key.path("secret").asText("");
        if (keyId.isEmpty() || secret.isEmpty()) {
            throw new ProviderException("Exoscale IAM answered the creation of API key " + keyName
                    + " without its key and secret; revoke keys named " + keyName + " that exist");
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("api-key", keyId);
        data.put("api-secret", secret);
        data.put("api-endpoint", endpoint(cluster));
        return new IssuedKey(keyId, data);
    }

    @Override
    public void revokeKey(Cluster cluster, String keyId) throws ProviderException {
        ExoscaleApi api = api(cluster);
        try {
            api.awaitOperation(
                    api.delete("/api-key/" + keyId), "revoke API key " + keyId, operationWait, operationPoll);
        } catch (ExoscaleApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void deleteRole(Cluster cluster) throws ProviderException {
        ExoscaleApi api = api(cluster);
        Optional<String> roleId = findRole(api, cluster);
        if (roleId.isEmpty()) {
            return;
        }
        try {
            api.awaitOperation(
                    api.delete("/iam-role/" + roleId.get()),
                    "delete IAM role " + roleName(cluster),
                    operationWait,
                    operationPoll);
        } catch (ExoscaleApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private Optional<String> findRole(ExoscaleApi api, Cluster cluster) throws ProviderException {
        for (JsonNode role : api.get("/iam-role").path("iam-roles")) {
            if (cluster.uid().equals(role.path("labels").path(CLUSTER_UID_LABEL).asText())) {
                return Optional.of(role.path("id").asText());
            }
        }
        return Optional.empty();
    }

    private String endpoint(Cluster cluster) {
        return endpointTemplate.replace("{zone}", cluster.zone());
    }

    private ExoscaleApi api(Cluster cluster) {
        return new ExoscaleApi(http, endpoint(cluster), credentials, clock, json);
    }
}
