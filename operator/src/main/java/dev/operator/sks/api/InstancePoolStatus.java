package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstancePoolStatus {

  public PoolState state;

  public Integer size;

  public Integer runningInstances;

  public List<Instance> instances = new ArrayList<>();

  public List<Condition> conditions = new ArrayList<>();

  public Long observedGeneration;
}
