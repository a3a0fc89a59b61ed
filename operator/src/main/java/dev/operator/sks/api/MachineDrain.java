package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A machine being drained before it is removed; kept in status so the drain's deadline survives a restart. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MachineDrain {

    @JsonPropertyDescription("The machine (instance and Node name).")
    public String machine;

    @JsonPropertyDescription("Why it goes: ScaleDown, Replace, Repair or Evict.")
    public String reason;

    @JsonPropertyDescription("When the drain started (RFC 3339); it stops waiting for pods after spec.drainTimeout.")
    public String startedAt;

    public MachineDrain() {}

    public MachineDrain(String machine, String reason, String startedAt) {
        this.machine = machine;
        this.reason = reason;
        this.startedAt = startedAt;
    }
}
