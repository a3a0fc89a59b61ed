package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.IntOrString;

/** When a machine whose Node stopped being Ready is replaced, as Cluster API's MachineHealthCheck does. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolAutoRepair {

    @Default("true")
    @JsonPropertyDescription("Whether unhealthy machines are drained, removed and replaced (default true).")
    public Boolean enabled;

    @Default("10m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a machine's Node may be not Ready (or not registered at all) before the machine "
            + "is unhealthy, as a duration such as 10m or 1h30m (default 10m).")
    public String unhealthyAfter;

    @Default("40%")
    @JsonPropertyDescription("At most this many machines (a number, or a percentage of spec.size) are repaired at "
            + "once; when more are unhealthy, none is, since a fault that wide is not fixed by replacing machines "
            + "(default 40%).")
    public IntOrString maxUnhealthy;
}
