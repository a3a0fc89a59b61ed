package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

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

    @JsonPropertyDescription(
            "Each certificate authority's expiry (cluster-ca, etcd-ca, front-proxy-ca, clients-ca: the "
                    + "one that signs), and when the operator last warned that it expires within 90 days.")
    public List<SKSClusterAuthorityExpiry> authorities;

    @JsonPropertyDescription(
            "Key rotations in progress (annotations sks.operator.dev/rotate-cluster-ca, rotate-etcd-ca, "
                    + "rotate-front-proxy-ca, rotate-service-account-key), each with its phase: TrustingNew (the new key is "
                    + "trusted next to the old one), SigningWithNew (leaves are re-issued under it; the old one is still "
                    + "trusted), RemovingOld (only the new one is trusted). Each phase starts once the control plane rolled out "
                    + "the previous one.")
    public List<SKSClusterKeyRotation> rotations;

    public SKSClusterCertificates() {}

    public SKSClusterCertificates(String caExpirationTime, String expirationTime) {
        this.caExpirationTime = caExpirationTime;
        this.expirationTime = expirationTime;
    }
}
