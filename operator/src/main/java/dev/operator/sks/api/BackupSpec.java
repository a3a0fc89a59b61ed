package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** When a cluster's etcd is backed up to the operator's object store, and how many backups are kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {

    @Pattern("^\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+$")
    @JsonPropertyDescription("Five-field cron schedule in UTC (minute hour day-of-month month day-of-week), e.g. "
            + "\"30 2 * * *\". Absent: daily, at a time the operator derives from the cluster's UID so backups "
            + "spread over the day.")
    public String schedule;

    @JsonPropertyDescription("Which backups are kept: retention is applied after each successful backup.")
    public BackupRetention retention;
}
