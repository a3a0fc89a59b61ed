package dev.operator.sks.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operator.sks.testing.RepoPaths;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD and Flux examples point at what this repository really has, and the Argo CD health checks (Lua, run
 * here by LuaJ as Argo CD runs them) report Healthy only when the resource is Ready.
 */
class GitOpsExamplesTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Path GITOPS = RepoPaths.examples().resolve("gitops");

    @Test
    void argoCdInstallsTheChartFromItsPathInThisRepository() throws IOException {
        GenericKubernetesResource app =
                (GenericKubernetesResource) load("argocd-operator.yaml").get(0);
        assertThat(app.getApiVersion()).isEqualTo("argoproj.io/v1alpha1");
        assertThat(app.getKind()).isEqualTo("Application");
        String path = (String) ((Map<?, ?>) app.getAdditionalProperties().get("spec"))
                .entrySet().stream()
                        .filter(e -> e.getKey().equals("source"))
                        .map(e -> ((Map<?, ?>) e.getValue()).get("path"))
                        .findFirst()
                        .orElseThrow();
        assertThat(RepoPaths.root().resolve(path).resolve("Chart.yaml")).exists();
    }

    @Test
    void fluxInstallsTheChartAndThenSyncsTheClusters() throws IOException {
        List<HasMetadata> objects = load("flux.yaml");
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .containsExactly("GitRepository", "HelmRelease", "GitRepository", "Kustomization");
        Map<?, ?> chart = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((GenericKubernetesResource) objects.get(1))
                                .getAdditionalProperties()
                                .get("spec"))
                        .get("chart"))
                .get("spec");
        assertThat(RepoPaths.root().resolve((String) chart.get("chart")).resolve("Chart.yaml"))
                .exists();
    }

    @Test
    void theHealthChecksAreHealthyOnlyWhenReady() throws IOException {
        ConfigMap argocdCm = (ConfigMap) load("argocd-health.yaml").get(0);
        for (String kind : List.of("SKSCluster", "Nodepool")) {
            String script = argocdCm.getData().get("resource.customizations.health.sks.operator.dev_" + kind);
            assertThat(script).as(kind).isNotNull();
            assertThat(health(script, "{metadata: {generation: 2}}")).isEqualTo("Progressing");
            assertThat(health(script, """
          {metadata: {generation: 2}, status: {observedGeneration: 2, state: Running,
           conditions: [{type: Accepted, status: "True"}, {type: Ready, status: "True", message: ok}]}}
          """)).isEqualTo("Healthy");
            assertThat(health(script, """
          {metadata: {generation: 3}, status: {observedGeneration: 2, state: Running,
           conditions: [{type: Ready, status: "True"}]}}
          """))
                    .as("a spec the operator has not seen yet")
                    .isEqualTo("Progressing");
            assertThat(health(script, """
          {metadata: {generation: 1}, status: {observedGeneration: 1, state: Creating,
           conditions: [{type: Ready, status: "False", reason: RollingOut, message: waiting}]}}
          """)).isEqualTo("Progressing");
            assertThat(health(script, """
          {metadata: {generation: 1}, status: {observedGeneration: 1, state: Error,
           conditions: [{type: Accepted, status: "False", reason: ZoneNotOffered, message: bad zone}]}}
          """)).isEqualTo("Degraded");
        }
    }

    /** Runs a health script as Argo CD does: the object as the global {@code obj}, the returned table's status. */
    private static String health(String script, String objectYaml) {
        LuaValue globals = JsePlatform.standardGlobals();
        try {
            globals.set("obj", toLua(new ObjectMapper(new YAMLFactory()).readValue(objectYaml, Map.class)));
        } catch (IOException e) {
            throw new IllegalArgumentException("test object is not YAML", e);
        }
        LuaValue result = globals.get("load").call(LuaValue.valueOf(script)).call();
        return result.get("status").tojstring();
    }

    private static LuaValue toLua(Object value) {
        if (value instanceof Map<?, ?> map) {
            LuaTable table = new LuaTable();
            map.forEach((k, v) -> table.set(k.toString(), toLua(v)));
            return table;
        }
        if (value instanceof List<?> list) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                table.set(i + 1, toLua(list.get(i)));
            }
            return table;
        }
        if (value instanceof Number number) {
            return LuaValue.valueOf(number.doubleValue());
        }
        if (value instanceof Boolean bool) {
            return LuaValue.valueOf(bool);
        }
        return value == null ? LuaValue.NIL : LuaValue.valueOf(value.toString());
    }

    private static List<HasMetadata> load(String file) throws IOException {
        Object parsed = SERIALIZATION.unmarshal(Files.readString(GITOPS.resolve(file)));
        return parsed instanceof List<?> list
                ? list.stream().map(HasMetadata.class::cast).toList()
                : List.of((HasMetadata) parsed);
    }
}
