package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstancePoolStatus {

    public PoolState state;

    @JsonPropertyDescription("The compute provider's identifier of the pool.")
    public String providerId;

    @JsonPropertyDescription("Instances removed for spec.evict, so the Nodepool knows the eviction is done.")
    public List<String> evicted = new ArrayList<>();

    public Integer size;

    public Integer runningInstances;

    public List<Instance> instances = new ArrayList<>();

    @JsonPropertyDescription("Instances the pool had and no longer has, kept (name and id) until their tenant Nodes are"
            + " known gone: only a Node named as one of them, and naming no other machine, is deleted.")
    public List<Instance> departed = new ArrayList<>();

    public List<Condition> conditions = new ArrayList<>();

    public Long observedGeneration;
}
