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

    @JsonPropertyDescription("The tenant cluster Node this instance registered as.")
    public String nodeName;
}
