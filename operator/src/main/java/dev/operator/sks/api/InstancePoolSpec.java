package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstancePoolSpec {

    @Required
    @JsonPropertyDescription("The SKSCluster the instances join.")
    public String cluster;

    @Required
    @JsonPropertyDescription("The zone the instances run in.")
    public String zone;

    @Required
    @Min(0)
    public Integer size;

    @Required
    public String instanceType;

    @Required
    @Min(20)
    @JsonPropertyDescription("Root disk size in GiB.")
    public Integer diskSize;

    @JsonPropertyDescription("Machine template (image) the instances boot from: an Exoscale template name or id, a "
            + "KubeVirt container disk; empty selects the provider's configured default.")
    public String template;

    public String instancePrefix;

    public List<String> securityGroups = new ArrayList<>();

    public List<String> antiAffinityGroups = new ArrayList<>();

    public List<String> privateNetworks = new ArrayList<>();

    public String deployTarget;

    @JsonPropertyDescription("Labels the instances' nodes register with.")
    public Map<String, String> labels = new LinkedHashMap<>();

    @JsonPropertyDescription("Taints the instances' nodes register with.")
    public List<NodepoolTaint> taints = new ArrayList<>();

    @JsonPropertyDescription("Secret (key userData) with the cloud-init user-data instances boot with.")
    public String userDataSecretName;

    @JsonPropertyDescription("The revision (digest of what a machine is made from) new instances get; each instance "
            + "keeps the one it was made with in status.instances.")
    public String revision;

    @JsonPropertyDescription("The Kubernetes version new instances' kubelets run.")
    public String version;

    @JsonPropertyDescription("Instances to remove by name (from the Nodepool's sks.operator.dev/evict annotation); the "
            + "pool then grows back to size with new instances.")
    public List<String> evict = new ArrayList<>();
}
