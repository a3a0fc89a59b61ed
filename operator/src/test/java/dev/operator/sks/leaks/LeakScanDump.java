package dev.operator.sks.leaks;

import dev.operator.sks.api.ApiGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes what a test JVM's management API server was told by the operators it ran, for {@link SecretLeakScanIT}:
 * every Event and the status of every resource of the operator's kinds, one JSON object per line. Written when the
 * server stops, since the namespaces of finished tests are never deleted (envtest runs no namespace controller).
 */
public final class LeakScanDump {
    /** Where dumps and the suite's log file go (relative to the module, as surefire runs it). */
    public static final Path DIRECTORY = Path.of("target", "leak-scan");

    private static final List<String> KINDS = List.of("SKSCluster", "Nodepool", "KubeconfigRequest", "InstancePool");

    private LeakScanDump() {}

    /** Writes {@code <name>-events.jsonl} and {@code <name>-statuses.jsonl}; returns how many objects were written. */
    public static int write(KubernetesClient client, String name) throws IOException {
        Files.createDirectories(DIRECTORY);
        int written = 0;
        try (BufferedWriter out =
                Files.newBufferedWriter(DIRECTORY.resolve(name + "-events.jsonl"), StandardCharsets.UTF_8)) {
            for (var event : client.v1().events().inAnyNamespace().list().getItems()) {
                out.write(Serialization.asJson(event));
                out.newLine();
                written++;
            }
        }
        try (BufferedWriter out =
                Files.newBufferedWriter(DIRECTORY.resolve(name + "-statuses.jsonl"), StandardCharsets.UTF_8)) {
            for (String kind : KINDS) {
                for (GenericKubernetesResource resource : client.genericKubernetesResources(ApiGroup.API_VERSION, kind)
                        .inAnyNamespace()
                        .list()
                        .getItems()) {
                    Object status = resource.getAdditionalProperties().get("status");
                    out.write(Serialization.asJson(Map.of(
                            "kind",
                            kind,
                            "name",
                            resource.getMetadata().getNamespace() + "/"
                                    + resource.getMetadata().getName(),
                            "status",
                            status == null ? Map.of() : status)));
                    out.newLine();
                    written++;
                }
            }
        }
        return written;
    }
}
