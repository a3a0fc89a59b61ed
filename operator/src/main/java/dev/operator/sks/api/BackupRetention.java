package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How many backups are kept, and for how long; the newest is always kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRetention {

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("How many backups to keep at most (default 7).")
    public Integer count;

    @Pattern("^[0-9]{1,5}[dh]$")
    @JsonPropertyDescription("How old a backup may grow before it is deleted, in days or hours (\"30d\", \"72h\"); "
            + "absent: no age limit. The newest backup is kept however old.")
    public String maxAge;
}
