package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

/** The API server's --oidc-* flags. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OidcSpec {

  @Required
  @Pattern("^https://.+")
  @JsonProperty("issuerURL")
  @JsonPropertyDescription("URL of the OpenID issuer; must be https.")
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

  @JsonPropertyDescription("Claims that must be present in the token with the given values.")
  public Map<String, String> requiredClaims;
}
