package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How a Nodepool replaces its machines when what they are made from changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolUpgrade {

    @Default("Replace")
    @JsonPropertyDescription("Replace (default): running machines are replaced after the cluster's version, the image, "
            + "the instance type or the disk size changes. OnDelete: only machines evicted, repaired or added get the "
            + "new revision.")
    public UpgradeStrategy strategy;

    @Default("1")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("How many machines above spec.size may exist while replacing (default 1).")
    public Integer maxSurge;

    @Default("0")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("How many machines below spec.size may be without a Ready Node while replacing (default "
            + "0). maxSurge and maxUnavailable cannot both be 0.")
    public Integer maxUnavailable;
}
