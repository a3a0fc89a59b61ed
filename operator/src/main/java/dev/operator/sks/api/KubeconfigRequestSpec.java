package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KubeconfigRequestSpec {
    public static final long MAX_TTL_SECONDS = 2_592_000L;
    public static final long MIN_TTL_SECONDS = 600L;

    @Required
    @Pattern(Patterns.DNS_LABEL)
    @JsonPropertyDescription("Name of the SKSCluster in this namespace.")
    public String cluster;

    @Required
    @Size(min = 1, max = 64)
    @Pattern(Patterns.PRINTABLE_SUBJECT)
    @JsonPropertyDescription("User name: the certificate's common name, as the cluster's RBAC sees it. Printable: no "
            + "control characters nor invisible direction marks.")
    public String user;

    @ValidationRule(
            value = "self.all(g, g.size() > 0 && g.size() <= 64 && g.matches('" + Patterns.PRINTABLE_SUBJECT_CEL
                    + "'))",
            message = "groups must be 1 to 64 printable characters, without control characters nor invisible "
                    + "direction marks")
    @JsonPropertyDescription("Groups: the certificate's organizations. system:masters gives root credentials.")
    public List<String> groups = new ArrayList<>();

    @Default("2592000")
    @Min(MIN_TTL_SECONDS)
    @Max(MAX_TTL_SECONDS)
    @JsonPropertyDescription("Lifetime of the certificate in seconds: 600 to 2592000 (30 days), default 30 days.")
    public Long ttlSeconds;

    @Min(60)
    @JsonPropertyDescription("Re-issue the certificate this many seconds before it expires, into the same Secret. "
            + "Without it the Secret's data is removed at expiry.")
    public Long renewBeforeSeconds;

    @Pattern(Patterns.DNS_SUBDOMAIN)
    @Size(max = 253)
    @JsonPropertyDescription("Name of the Secret that receives the kubeconfig (default <name>-kubeconfig). It may not "
            + "be a name an SKSCluster uses for its own Secrets; see the README.")
    public String secretName;
}
