package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ControlPlaneSpec {

    @Default("LoadBalancer")
    @JsonPropertyDescription("Type of the <cluster>-apiserver Service: LoadBalancer, NodePort or ClusterIP.")
    public Exposure exposure;

    @JsonPropertyDescription("Pro clusters: pins the control plane's size (S, M, L or XL) instead of following the "
            + "tenant's load; remove it to let the load decide again. Ignored while the cluster is starter.")
    public ControlPlaneSize size;

    @JsonProperty("certSANs")
    @JsonPropertyDescription("Extra DNS names or IP addresses in the API server's serving certificate.")
    public List<String> certSANs = new ArrayList<>();
}
