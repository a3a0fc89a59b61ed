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

    @JsonProperty("certSANs")
    @JsonPropertyDescription("Extra DNS names or IP addresses in the API server's serving certificate.")
    public List<String> certSANs = new ArrayList<>();
}
