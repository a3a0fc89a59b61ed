package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** The API server's --oidc-* flags. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcSpec {

    @Required
    @Pattern("^https://[^\\s/?#@]+(/[^\\s?#]*)?$")
    @JsonProperty("issuerURL")
    @JsonPropertyDescription("URL of the OpenID issuer: https, with a host, without spaces, query or fragment.")
    public String issuerURL;

    @Required
    @JsonProperty("clientID")
    @JsonPropertyDescription("Client ID that every token must be issued for.")
    public String clientID;

    @JsonPropertyDescription("JWT claim to use as the user name (default sub).")
    public String usernameClaim;

    @JsonPropertyDescription("Prefix added to user names to avoid clashes with other authenticators.")
    public String usernamePrefix;

    @JsonPropertyDescription("JWT claim to use as the user's groups.")
    public String groupsClaim;

    @JsonPropertyDescription("Prefix added to group names.")
    public String groupsPrefix;

    @ValidationRule(
            value = "self.all(k, k.size() > 0 && !k.contains(',') && !k.contains('=') && !self[k].contains(',') "
                    + "&& !self[k].contains('='))",
            message = "requiredClaims keys and values may not contain ',' or '=': the API "
                    + "server would read them as more claims")
    @JsonPropertyDescription("Claims that must be present in the token with the given values. Neither keys nor "
            + "values may contain ',' or '='.")
    public Map<String, String> requiredClaims;
}
