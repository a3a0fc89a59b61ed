package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** One machine of an InstancePool, as its compute provider reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Instance {

    public String name;

    @JsonPropertyDescription("The provider's identifier of the instance.")
    public String id;

    @JsonPropertyDescription("Starting, Running, Stopping or Failed.")
    public String state;

    public List<String> addresses = new ArrayList<>();

    @JsonPropertyDescription("The tenant cluster Node this instance registered as (set while that Node is Ready).")
    public String nodeName;

    @JsonPropertyDescription("The pool's revision when the instance was first seen: what it was made from.")
    public String revision;

    @JsonPropertyDescription("The Kubernetes version its kubelet runs (the pool's version when it was first seen).")
    public String version;

    @JsonPropertyDescription("When the pool first saw the instance (RFC 3339).")
    public String createdAt;

    @JsonPropertyDescription("Since when its Node is not Ready (the Node's Ready transition, or createdAt when no Node "
            + "registered); absent while the Node is Ready.")
    public String notReadySince;
}
