package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodepoolStatus {

    @JsonPropertyDescription("Stable identifier of the pool; nodes carry it as sks.operator.dev/nodepool-id.")
    public String id;

    @JsonPropertyDescription("Name of the InstancePool behind this Nodepool (nodepool-<name>-<id>).")
    public String instancePool;

    @JsonPropertyDescription("The cluster this pool was created for (spec.cluster cannot change).")
    public String cluster;

    @JsonProperty("clusterUID")
    @JsonPropertyDescription(
            "UID of the SKSCluster this pool was accepted for: the pool belongs to that cluster, whatever "
                    + "spec.cluster says later, and goes when that cluster is deleted.")
    public String clusterUID;

    @StatusReplicas
    @JsonPropertyDescription("Number of instances that exist now.")
    public Integer size;

    @JsonPropertyDescription("Number of instances whose node is Ready.")
    public Integer readyNodes;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the pool's nodes, for the scale subresource.")
    public String selector;

    @JsonPropertyDescription("The kubelet version the pool's machines run: while old and new machines are mixed (a "
            + "replacement under way, or OnDelete), the oldest one present; with no machine, the version new ones "
            + "join with.")
    public String version;

    @JsonPropertyDescription("The revision new machines are made from: a digest of the Kubernetes version, image, "
            + "instance type, disk size and the newest cluster CA they trust.")
    public String revision;

    @JsonPropertyDescription("A digest of the newest cluster CA that machines of the current revision trust (from the "
            + "CA bundle in their user-data); a cluster-CA rotation lets the new CA sign only once every machine trusts "
            + "it.")
    public String trustedCA;

    @JsonPropertyDescription("Number of machines made from the current revision.")
    public Integer updatedMachines;

    @JsonPropertyDescription("Machines being drained before they are removed.")
    public List<MachineDrain> draining = new ArrayList<>();

    public PoolState state;

    public List<Condition> conditions = new ArrayList<>();

    public Long observedGeneration;
}
