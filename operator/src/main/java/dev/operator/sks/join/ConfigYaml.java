package dev.operator.sks.join;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * YAML for configuration files read by Go programs (kubeadm, kubelet, cloud-init's Python too): every string
 * double-quoted, so nothing is read as a YAML 1.1 boolean or number ({@code "on"}, {@code "0644"}, a token of
 * digits), multi-line strings as literal blocks, no line folding. Maps keep their insertion order, so the same input
 * gives the same bytes.
 */
public final class ConfigYaml {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build();

    private ConfigYaml() {}

    public static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            // Without the cause's message: it may quote the value (a token) it failed on.
            throw new IllegalStateException("cannot write YAML (" + e.getClass().getSimpleName() + ")");
        }
    }
}
