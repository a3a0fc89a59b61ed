package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One key rotation in progress and its phase. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterKeyRotation {
    @JsonPropertyDescription("cluster-ca, etcd-ca, front-proxy-ca or service-account-key.")
    public String key;

    @JsonPropertyDescription("TrustingNew, SigningWithNew or RemovingOld.")
    public String phase;

    @JsonPropertyDescription("The value of the rotate annotation this rotation is for.")
    public String rotation;

    @JsonPropertyDescription("When this phase started (RFC 3339).")
    public String since;

    @JsonPropertyDescription("For the service-account key: until when the previous public key stays trusted, so "
            + "tokens it signed keep working until they expire (RFC 3339).")
    public String previousKeyTrustedUntil;

    @JsonPropertyDescription("What this phase waits for besides the control plane's rollout: for the cluster CA, the "
            + "Nodepools' machines to be replaced with the new CA bundle before the new CA signs.")
    public String waitingFor;

    public SKSClusterKeyRotation() {}
}
