package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Named sizes of a pro control plane, smallest first, as HyperShift names its request-serving sizes: what each runs
 * and up to which load is {@code sizing/ControlPlaneSizes}' table.
 */
public enum ControlPlaneSize {
    @JsonProperty("S")
    S,
    @JsonProperty("M")
    M,
    @JsonProperty("L")
    L,
    @JsonProperty("XL")
    XL
}
