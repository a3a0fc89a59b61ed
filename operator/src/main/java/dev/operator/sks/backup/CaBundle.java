package dev.operator.sks.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The key material that makes a cluster itself: its certificate authorities and service-account key, by role, so
 * that a cluster restored under another name gets them under its own names. Each Secret's {@code data} and type are
 * kept whole, whatever keys they hold. Serialized as JSON, then encrypted ({@link CaBundleCipher}) before it leaves
 * the operator.
 */
public record CaBundle(Map<Role, Entry> entries) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    /** The Secrets a backup carries. */
    public enum Role {
        CLUSTER_CA(Names::clusterCa),
        ETCD_CA(Names::etcdCa),
        FRONT_PROXY_CA(Names::frontProxyCa),
        CLIENTS_CA(Names::clientsCa),
        SERVICE_ACCOUNT_KEY(Names::serviceAccountKeys);

        private final UnaryOperator<String> secretName;

        Role(UnaryOperator<String> secretName) {
            this.secretName = secretName;
        }

        public String secretName(String cluster) {
            return secretName.apply(cluster);
        }
    }

    /** One Secret's type and data (base64 values, as the API holds them). */
    public record Entry(String type, Map<String, String> data) {}

    public CaBundle {
        entries = Map.copyOf(entries);
    }

    /** The bundle of {@code secrets}, found by role under the names of {@code cluster}. */
    public static CaBundle of(String cluster, Map<String, Secret> secretsByName) throws BackupException {
        Map<Role, Entry> entries = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            Secret secret = secretsByName.get(role.secretName(cluster));
            if (secret == null || secret.getData() == null || secret.getData().isEmpty()) {
                throw new BackupException(
                        "CertificatesMissing",
                        "the Secret " + role.secretName(cluster)
                                + " of the cluster does not exist (yet): a backup without its CAs could not be restored");
            }
            entries.put(role, new Entry(secret.getType(), new LinkedHashMap<>(secret.getData())));
        }
        return new CaBundle(entries);
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode secrets = root.putObject("secrets");
        entries.forEach((role, entry) -> {
            ObjectNode node = secrets.putObject(role.name());
            node.put("type", entry.type());
            ObjectNode data = node.putObject("data");
            entry.data().forEach(data::put);
        });
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    public static CaBundle fromJson(byte[] json, String objectKey) throws BackupException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new BackupException("CaBundleUnreadable", "the CA bundle " + objectKey + " is not JSON");
        }
        if (root.path("format").asInt() != FORMAT) {
            throw new BackupException(
                    "CaBundleUnreadable",
                    "the CA bundle " + objectKey + " has format "
                            + root.path("format").asText("none") + "; this operator reads format " + FORMAT);
        }
        Map<Role, Entry> entries = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            JsonNode node = root.path("secrets").path(role.name());
            if (!node.isObject()) {
                throw new BackupException("CaBundleUnreadable", "the CA bundle " + objectKey + " lacks " + role);
            }
            Map<String, String> data = new LinkedHashMap<>();
            node.path("data")
                    .fields()
                    .forEachRemaining(f -> data.put(f.getKey(), f.getValue().asText()));
            entries.put(role, new Entry(node.path("type").asText("Opaque"), data));
        }
        return new CaBundle(entries);
    }

    @Override
    public String toString() {
        return "CaBundle" + entries.keySet(); // never the keys themselves
    }
}
