package dev.operator.sks.testing;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Renders helm/sks-operator with real Helm (helm-java) and parses the result into fabric8 objects, for the chart
 * tests and for tests that run the operator with exactly the chart's RBAC.
 *
 * <p>helm-java's {@code template()} cannot set {@code --api-versions} or {@code --kube-version}: it always renders
 * with Helm's default capabilities, so a ServiceMonitor (which needs monitoring.coreos.com/v1) never renders here.
 */
public final class HelmCharts {
    public static final String RELEASE = "sks";
    public static final String NAMESPACE = "sks-system";
    /** The full name of the release's objects: <release>-<chart>. */
    public static final String FULLNAME = RELEASE + "-sks-operator";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private HelmCharts() {}

    /** The rendered manifests (no CRDs, as `helm template` without --include-crds) for these values (YAML). */
    public static String templateYaml(String valuesYaml) {
        Path values = writeValues(valuesYaml);
        try {
            return new Helm(RepoPaths.helmChart())
                    .template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withValuesFile(values)
                    .call();
        } finally {
            delete(values);
        }
    }

    /** The rendered objects for these values (YAML; empty for the chart's defaults). */
    public static List<HasMetadata> render(String valuesYaml) {
        return parse(templateYaml(valuesYaml));
    }

    public static List<HasMetadata> parse(String manifests) {
        Object parsed = SERIALIZATION.unmarshal(manifests);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object item : list) {
                if (item != null) {
                    objects.add((HasMetadata) item);
                }
            }
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    public static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return find(objects, type, name)
                .orElseThrow(
                        () -> new AssertionError("no " + type.getSimpleName() + " " + name + " in the rendered chart"));
    }

    public static <T extends HasMetadata> Optional<T> find(List<HasMetadata> objects, Class<T> type, String name) {
        return ofType(objects, type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst();
    }

    /** The rules of the ClusterRole the chart binds to the operator's ServiceAccount. */
    public static List<PolicyRule> clusterRules(List<HasMetadata> objects) {
        return one(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class, FULLNAME)
                .getRules();
    }

    /** The rules of the operator's Role in one namespace (watchNamespaces) or of the leader-election Role. */
    public static List<PolicyRule> roleRules(List<HasMetadata> objects, String name, String namespace) {
        return ofType(objects, Role.class).stream()
                .filter(r -> name.equals(r.getMetadata().getName())
                        && namespace.equals(r.getMetadata().getNamespace()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Role " + namespace + "/" + name + " in the rendered chart"))
                .getRules();
    }

    public static Path writeValues(String valuesYaml) {
        try {
            Path file = Files.createTempFile("sks-values", ".yaml");
            Files.writeString(file, valuesYaml == null ? "" : valuesYaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary file is harmless
        }
    }
}
