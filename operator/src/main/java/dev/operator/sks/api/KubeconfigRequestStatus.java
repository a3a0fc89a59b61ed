package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KubeconfigRequestStatus {

    @JsonPropertyDescription("The Secret holding the kubeconfig, under the key kubeconfig.")
    public String secretName;

    @JsonPropertyDescription("When the issued certificate expires (RFC 3339).")
    public String expirationTime;

    @JsonPropertyDescription("Serial number of the issued certificate, in hexadecimal.")
    public String serialNumber;

    public List<Condition> conditions = new ArrayList<>();

    public Long observedGeneration;
}
