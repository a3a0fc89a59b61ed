package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Service tier of a cluster: starter runs one of everything, pro runs a highly available control plane. */
public enum Level {
    @JsonProperty("starter")
    STARTER,
    @JsonProperty("pro")
    PRO
}
