package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterStatus {

    @JsonPropertyDescription("Coarse lifecycle state; see conditions for the detail.")
    public ClusterState state;

    @JsonPropertyDescription("The Kubernetes patch version the control plane runs now.")
    public String version;

    @JsonPropertyDescription("The zone the cluster was created in (spec.zone cannot change).")
    public String zone;

    @JsonPropertyDescription("The level the control plane runs at now.")
    public Level level;

    @JsonPropertyDescription("The pod and service networks and DNS domain the cluster was created with (they cannot "
            + "change): recorded when the spec is first accepted.")
    public SKSClusterAcceptedNetworking networking;

    @JsonPropertyDescription("URL of the cluster's API server.")
    public String endpoint;

    @JsonPropertyDescription("Versions the cluster may move to next.")
    public List<String> availableUpgrades = new ArrayList<>();

    @JsonPropertyDescription("Starter clusters: since when the cluster has had no nodepool (its creation, or its last "
            + "nodepool's deletion); absent while it has one.")
    public String idleSince;

    @JsonPropertyDescription("Starter clusters: when the operator deletes this cluster for having had no nodepool, set "
            + "when the warning starts; a nodepool, or the annotation sks.operator.dev/keep=true, cancels it.")
    public String scheduledDeletion;

    @JsonPropertyDescription("When the cluster's certificate authorities and certificates expire.")
    public SKSClusterCertificates certificates;

    @JsonPropertyDescription("etcd's members and learners.")
    public SKSClusterEtcd etcd;

    @JsonPropertyDescription("Pro clusters: the size the control plane runs at and why it last changed.")
    public SKSClusterControlPlane controlPlane;

    @JsonPropertyDescription("etcd backups: the last success and failure, and the next one due.")
    public SKSClusterBackup backup;

    @JsonPropertyDescription("Set once a restore (spec.restore) has been prepared: the snapshot it restores.")
    public String restoredFrom;

    public List<Condition> conditions = new ArrayList<>();

    public Long observedGeneration;
}
