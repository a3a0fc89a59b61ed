package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** When one certificate authority of a cluster expires, read from its certificate (never its key). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterAuthorityExpiry {
    @JsonPropertyDescription("cluster-ca, etcd-ca, front-proxy-ca or clients-ca.")
    public String name;

    @JsonPropertyDescription("When the CA that signs expires (RFC 3339).")
    public String expirationTime;

    @JsonPropertyDescription("When the operator last recorded a Warning Event that this CA expires within 90 days "
            + "(RFC 3339); at most one a day.")
    public String expiryWarningTime;

    public SKSClusterAuthorityExpiry() {}

    public SKSClusterAuthorityExpiry(String name, String expirationTime, String expiryWarningTime) {
        this.name = name;
        this.expirationTime = expirationTime;
        this.expiryWarningTime = expiryWarningTime;
    }
}
