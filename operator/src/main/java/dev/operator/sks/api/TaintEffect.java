package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The Kubernetes taint effects; the JSON names are those of core/v1 Taint. */
public enum TaintEffect {
    @JsonProperty("NoSchedule")
    NO_SCHEDULE,
    @JsonProperty("PreferNoSchedule")
    PREFER_NO_SCHEDULE,
    @JsonProperty("NoExecute")
    NO_EXECUTE;

    public String wireName() {
        return switch (this) {
            case NO_SCHEDULE -> "NoSchedule";
            case PREFER_NO_SCHEDULE -> "PreferNoSchedule";
            case NO_EXECUTE -> "NoExecute";
        };
    }
}
