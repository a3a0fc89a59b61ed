package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.autoscaling) || (self.size >= self.autoscaling.minSize && self.size <= "
                + "self.autoscaling.maxSize)",
        message = "spec.size must lie within spec.autoscaling.minSize and maxSize")
public class NodepoolSpec {

    @Required
    @Pattern(Patterns.DNS_LABEL)
    @ValidationRule(value = "self == oldSelf", message = "cluster is immutable: create a new Nodepool instead")
    @JsonPropertyDescription("Name of the SKSCluster in this namespace the nodes join. Immutable.")
    public String cluster;

    @Required
    @SpecReplicas
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Number of instances.")
    public Integer size;

    @Required
    @Pattern("^[a-z0-9-]+\\.[a-z0-9-]+$")
    @JsonPropertyDescription(
            "Instance type from the catalog (family.size, e.g. standard.medium); at least 2 GiB " + "of memory.")
    public String instanceType;

    @Default("50")
    @Min(20)
    @Max(51200)
    @JsonPropertyDescription("Root disk size in GiB, 20 to 51200.")
    public Integer diskSize;

    @Pattern(Patterns.NODE_IMAGE)
    @Size(max = Patterns.NODE_IMAGE_MAX_LENGTH)
    @JsonPropertyDescription("Machine image the nodes boot: an Exoscale template (name or id) with the exoscale "
            + "provider, a KubeVirt container disk (registry/repository:tag or @sha256:digest) with kubevirt. Default: "
            + "the operator's image for the cluster's minor (its version catalog, or its --exoscale-template / "
            + "--kubevirt-image). An image without containerd, kubelet and kubeadm of the cluster's minor gets them "
            + "installed at first boot. A change applies to new machines.")
    public String template;

    @Pattern(Patterns.DNS_LABEL)
    @Size(max = 30)
    @JsonPropertyDescription("Prefix of instance names (default pool).")
    public String instancePrefix;

    @ValidationRule(
            value = "self.all(k, k.matches('" + Patterns.LABEL_KEY_CEL + "'))",
            message = "label keys must be valid Kubernetes label keys ([prefix/]name)")
    @JsonPropertyDescription("Labels put on every node of the pool.")
    public Map<String, String> labels = new LinkedHashMap<>();

    @JsonPropertyDescription("Taints registered on every node of the pool.")
    public List<NodepoolTaint> taints = new ArrayList<>();

    @JsonPropertyDescription("Security groups (names or IDs) of the instances.")
    public List<String> securityGroups = new ArrayList<>();

    @JsonPropertyDescription("Anti-affinity groups (names or IDs) of the instances.")
    public List<String> antiAffinityGroups = new ArrayList<>();

    @JsonPropertyDescription("Private networks (names or IDs) the instances are attached to.")
    public List<String> privateNetworks = new ArrayList<>();

    @JsonPropertyDescription("Dedicated hypervisor (deploy target) the instances run on.")
    public String deployTarget;

    @Size(max = 255)
    @JsonPropertyDescription("Free text for people.")
    public String description;

    @ValidationRule(
            value = "(has(self.maxSurge) ? self.maxSurge : 1) > 0 || (has(self.maxUnavailable) ? self.maxUnavailable :"
                    + " 0) > 0",
            message = "maxSurge and maxUnavailable cannot both be 0: no machine could ever be replaced")
    @JsonPropertyDescription("How running machines are replaced when the cluster's version, the image, the instance "
            + "type or the disk size changes.")
    public NodepoolUpgrade upgrade;

    @Default("10m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a machine's pods are given to leave (evicted, respecting PodDisruptionBudgets) "
            + "before it is removed anyway, as a duration such as 10m (default 10m).")
    public String drainTimeout;

    @JsonPropertyDescription("Replacing machines whose Node is not Ready for too long.")
    public NodepoolAutoRepair autoRepair;

    @ValidationRule(value = "self.minSize <= self.maxSize", message = "autoscaling.minSize must not exceed maxSize")
    @JsonPropertyDescription(
            "Let the cluster's cluster-autoscaler size the pool between minSize and maxSize: spec.size "
                    + "is then the autoscaler's, kept within the bounds by the operator. Absent: spec.size is yours.")
    public NodepoolAutoscaling autoscaling;
}
