package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * Bounds within which the cluster's cluster-autoscaler sizes a Nodepool. With them the pool's {@code spec.size} is the
 * autoscaler's to set (through the operator's externalgrpc provider); the operator keeps it within the bounds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolAutoscaling {

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Fewest instances the autoscaler may leave; 0 lets the pool scale to zero.")
    public Integer minSize;

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Most instances the autoscaler may add, at most 1000.")
    public Integer maxSize;

    public NodepoolAutoscaling() {}

    public NodepoolAutoscaling(int minSize, int maxSize) {
        this.minSize = minSize;
        this.maxSize = maxSize;
    }
}
