package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** etcd's membership as the operator last rendered it: while it grows, one member at a time is a learner. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterEtcd {

    @JsonPropertyDescription("Members of the etcd cluster, learners included.")
    public Integer members;

    @JsonPropertyDescription("Members still catching up as non-voting learners (0 or 1).")
    public Integer learners;

    @JsonPropertyDescription(
            "Each member's db as the operator's maintenance last found it, and when it was last " + "defragmented.")
    public List<SKSClusterEtcdMember> memberStatus;

    public SKSClusterEtcd() {}

    public SKSClusterEtcd(Integer members, Integer learners) {
        this.members = members;
        this.learners = learners;
    }
}
