package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The bounds within which the cluster-autoscaler sets spec.size. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolAutoscaling {

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("The fewest machines the autoscaler leaves (0 lets it scale the pool to nothing).")
    public Integer minSize;

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("The most machines the autoscaler adds; at least minSize.")
    public Integer maxSize;
}
