package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkingSpec {
    static final String CIDR = "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$";

    @Default("192.168.0.0/16")
    @Pattern(CIDR)
    @ValidationRule(value = "self == oldSelf", message = "podCIDR is immutable")
    @JsonProperty("podCIDR")
    @JsonPropertyDescription("IPv4 CIDR of pod addresses, in canonical form (192.168.0.0/16, not 192.168.1.5/16); "
            + "must not overlap serviceCIDR. Immutable.")
    public String podCIDR;

    @Default("10.96.0.0/12")
    @Pattern(CIDR)
    @ValidationRule(value = "self == oldSelf", message = "serviceCIDR is immutable")
    @JsonProperty("serviceCIDR")
    @JsonPropertyDescription(
            "IPv4 CIDR of Service cluster IPs; its first address is the kubernetes Service. Immutable.")
    public String serviceCIDR;

    @Default("cluster.local")
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @Size(max = 253)
    @ValidationRule(value = "self == oldSelf", message = "dnsDomain is immutable")
    @JsonPropertyDescription("DNS domain of the cluster's Services. Immutable.")
    public String dnsDomain;
}
