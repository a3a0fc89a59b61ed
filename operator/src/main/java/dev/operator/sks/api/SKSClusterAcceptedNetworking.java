package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The networking an SKSCluster was accepted with, kept in status: what runs, against which the operator refuses
 * changes whether or not the API server enforces the schema's immutability rules.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterAcceptedNetworking {

    @JsonProperty("podCIDR")
    @JsonPropertyDescription("IPv4 CIDR of pod addresses, in canonical form.")
    public String podCIDR;

    @JsonProperty("serviceCIDR")
    @JsonPropertyDescription("IPv4 CIDR of Service cluster IPs, in canonical form.")
    public String serviceCIDR;

    @JsonPropertyDescription("DNS domain of the cluster's Services.")
    public String dnsDomain;

    public SKSClusterAcceptedNetworking() {}

    public SKSClusterAcceptedNetworking(String podCIDR, String serviceCIDR, String dnsDomain) {
        this.podCIDR = podCIDR;
        this.serviceCIDR = serviceCIDR;
        this.dnsDomain = dnsDomain;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SKSClusterAcceptedNetworking that
                && Objects.equals(podCIDR, that.podCIDR)
                && Objects.equals(serviceCIDR, that.serviceCIDR)
                && Objects.equals(dnsDomain, that.dnsDomain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(podCIDR, serviceCIDR, dnsDomain);
    }
}
