package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Optional components the operator installs into the tenant cluster. */
public enum Addon {
    @JsonProperty("metrics-server")
    METRICS_SERVER,
    @JsonProperty("cloud-controller")
    CLOUD_CONTROLLER
}
