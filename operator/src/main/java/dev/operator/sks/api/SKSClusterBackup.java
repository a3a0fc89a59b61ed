package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The cluster's etcd backups as the operator last took them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterBackup {

    @JsonPropertyDescription("When the last successful backup was taken.")
    public String lastSuccessTime;

    @JsonPropertyDescription("Size of the last successful snapshot, in bytes.")
    public Long lastSize;

    @JsonPropertyDescription("How long the last successful backup took, in seconds.")
    public Double lastDurationSeconds;

    @JsonPropertyDescription("Object key of the last successful snapshot (what spec.restore.snapshot takes).")
    public String lastObject;

    @JsonPropertyDescription("SHA-256 of the last successful snapshot, also in its object metadata.")
    public String lastSha256;

    @JsonPropertyDescription("When the last backup failed.")
    public String lastFailureTime;

    @JsonPropertyDescription("Why the last backup failed.")
    public String lastFailureReason;

    @JsonPropertyDescription("When the next scheduled backup is due.")
    public String nextScheduled;

    @JsonPropertyDescription("The last value of the annotation sks.operator.dev/backup-now that was acted on.")
    public String lastRequest;
}
