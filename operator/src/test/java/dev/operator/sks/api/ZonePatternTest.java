package dev.operator.sks.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.testing.RepoPaths;
import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CRD's zone pattern, as committed, accepts every zone of the default list (ch-dk-2 has a two-letter city). */
class ZonePatternTest {

    @Test
    void everyDefaultZoneMatchesTheSchemaAndNonsenseDoesNot() throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory())
                .readTree(RepoPaths.crds()
                        .resolve("sksclusters.sks.operator.dev-v1.yml")
                        .toFile());
        String pattern = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/zone/pattern")
                .asText();
        Pattern zone = Pattern.compile(pattern);

        assertThat(OperatorConfig.DEFAULT_ZONES)
                .contains("ch-dk-2")
                .allMatch(z -> zone.matcher(z).matches());
        assertThat(java.util.List.of("CH-GVA-2", "ch-gva", "chgva2", "ch-gva-x", "c-gva-2", "ch-geneva-2"))
                .noneMatch(z -> zone.matcher(z).matches());
    }
}
