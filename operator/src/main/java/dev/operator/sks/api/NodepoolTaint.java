package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolTaint {

    @Required
    @Pattern(Patterns.LABEL_KEY)
    @JsonPropertyDescription("Taint key, a valid label key.")
    public String key;

    @Size(max = 63)
    @JsonPropertyDescription("Taint value.")
    public String value;

    @Required
    @JsonPropertyDescription("NoSchedule, PreferNoSchedule or NoExecute.")
    public TaintEffect effect;

    public NodepoolTaint() {}

    public NodepoolTaint(String key, String value, TaintEffect effect) {
        this.key = key;
        this.value = value;
        this.effect = effect;
    }
}
