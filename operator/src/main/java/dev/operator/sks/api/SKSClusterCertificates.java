package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * When a cluster's PKI expires, read from the certificates (never their keys) each time the operator checks them, so
 * the fleet's expiry shows in status and in metrics without anyone reading a Secret.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterCertificates {

    @JsonPropertyDescription("When the first of the cluster's certificate authorities (cluster, etcd, front-proxy, "
            + "clients) expires (RFC 3339).")
    public String caExpirationTime;

    @JsonPropertyDescription("When the first of the certificates they signed for the control plane (API server, etcd, "
            + "front-proxy client, component kubeconfigs) expires (RFC 3339); renewed once a third of its validity "
            + "remains.")
    public String expirationTime;

    public SKSClusterCertificates() {}

    public SKSClusterCertificates(String caExpirationTime, String expirationTime) {
        this.caExpirationTime = caExpirationTime;
        this.expirationTime = expirationTime;
    }
}
