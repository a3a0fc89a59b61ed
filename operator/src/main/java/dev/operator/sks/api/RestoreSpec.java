package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where a new cluster's etcd and certificate authorities come from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreSpec {

    @Required
    @Size(min = 1, max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription(
            "Name of the cluster (in this namespace) whose backup to restore; it may have been " + "deleted since.")
    public String fromCluster;

    @Size(max = 1024)
    @JsonPropertyDescription("Object key of the snapshot (as status.backup.lastObject shows it), or \"latest\" "
            + "(the default) for that cluster's newest backup.")
    public String snapshot;
}
