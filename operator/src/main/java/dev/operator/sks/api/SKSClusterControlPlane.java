package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The size a pro control plane runs at, and why it last changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterControlPlane {

    @JsonPropertyDescription("Pro clusters: the named size the control plane runs at (S, M, L or XL), which follows "
            + "the tenant's Nodes, objects, request rate and in-flight requests.")
    public ControlPlaneSize size;

    @JsonPropertyDescription("When the size last changed (RFC 3339).")
    public String lastResize;

    @JsonPropertyDescription("Why the size last changed.")
    public String reason;
}
