package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test API server (v1.20) ignores x-kubernetes-validations, but newer clusters compile every rule when the
 * CRD is installed: a typo would break installation there. Compile each rule here, as the API server would.
 */
class CelRulesTest {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();

    @Test
    void everyValidationRuleInTheCrdsCompiles() throws IOException {
        List<String> rules = new ArrayList<>();
        for (Path file : ApiServerSupport.crdFiles()) {
            collectRules(Serialization.unmarshal(Files.readString(file), Map.class), rules);
        }
        assertThat(rules).as("rules found in crds/").hasSizeGreaterThanOrEqualTo(5);
        assertThat(rules)
                .as("the SKSCluster's name rules, on the root object")
                .contains(Patterns.CLUSTER_NAME_RULE, Patterns.CLUSTER_NAME_ENDING_RULE);
        for (String rule : rules) {
            CelValidationResult result = COMPILER.compile(rule);
            assertThat(result.hasError())
                    .as("CEL rule %s: %s", rule, result.getErrorString())
                    .isFalse();
        }
    }

    @Test
    void aBrokenRuleIsCaught() {
        assertThat(COMPILER.compile("self.all(k, k.matches('a')").hasError()).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static void collectRules(Object node, List<String> rules) {
        if (node instanceof Map<?, ?> map) {
            Object validations = map.get("x-kubernetes-validations");
            if (validations instanceof List<?> list) {
                list.forEach(v -> rules.add((String) ((Map<String, Object>) v).get("rule")));
            }
            map.values().forEach(v -> collectRules(v, rules));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectRules(v, rules));
        }
    }
}
