package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The network plugin installed into the tenant cluster; {@code none} leaves the choice to the user. */
public enum Cni {
    @JsonProperty("calico")
    CALICO,
    @JsonProperty("none")
    NONE
}
