package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One etcd member's db, as the operator's maintenance last found it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SKSClusterEtcdMember {

    @JsonPropertyDescription("etcd's name of the member (its pod's name).")
    public String name;

    @JsonPropertyDescription("Bytes its db file takes (what etcd's quota is checked against).")
    public Long dbSizeBytes;

    @JsonPropertyDescription("Bytes of the db file holding data; the rest is free pages a defragmentation gives back.")
    public Long dbSizeInUseBytes;

    @JsonPropertyDescription("When the operator last defragmented this member (RFC 3339).")
    public String lastDefragmentation;

    public SKSClusterEtcdMember() {}

    public SKSClusterEtcdMember(String name, Long dbSizeBytes, Long dbSizeInUseBytes, String lastDefragmentation) {
        this.name = name;
        this.dbSizeBytes = dbSizeBytes;
        this.dbSizeInUseBytes = dbSizeInUseBytes;
        this.lastDefragmentation = lastDefragmentation;
    }
}
