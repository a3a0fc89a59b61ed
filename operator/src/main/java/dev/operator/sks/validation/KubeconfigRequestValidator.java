package dev.operator.sks.validation;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequestSpec;
import java.util.ArrayList;
import java.util.List;

/** What the schema cannot check about a KubeconfigRequest: certificate subject syntax and the TTL window. */
public final class KubeconfigRequestValidator {

  private KubeconfigRequestValidator() {}

  public static List<Violation> validate(KubeconfigRequestSpec spec) {
    List<Violation> violations = new ArrayList<>();
    if (spec == null) {
      violations.add(new Violation("SpecMissing", "the KubeconfigRequest has no spec; set cluster and user"));
      return violations;
    }
    if (spec.user == null || spec.user.isBlank()) {
      violations.add(new Violation("InvalidUser", "spec.user must name a user (the certificate's common name)"));
    } else if (Values.hasControlCharacters(spec.user) || spec.user.length() > 64) {
      violations.add(new Violation("InvalidUser",
          "spec.user must be at most 64 characters without control characters"));
    }
    for (String group : Defaults.groups(spec)) {
      if (group == null || group.isBlank() || Values.hasControlCharacters(group) || group.length() > 64) {
        violations.add(new Violation("InvalidGroup",
            "every spec.groups entry must be 1 to 64 characters without control characters"));
        break;
      }
    }
    long ttl = Defaults.ttlSeconds(spec);
    if (ttl < KubeconfigRequestSpec.MIN_TTL_SECONDS || ttl > KubeconfigRequestSpec.MAX_TTL_SECONDS) {
      violations.add(new Violation("InvalidTTL", "spec.ttlSeconds " + ttl + " is outside "
          + KubeconfigRequestSpec.MIN_TTL_SECONDS + ".." + KubeconfigRequestSpec.MAX_TTL_SECONDS
          + " (10 minutes to 30 days)"));
    }
    if (spec.renewBeforeSeconds != null && spec.renewBeforeSeconds >= ttl) {
      violations.add(new Violation("InvalidRenewBefore", "spec.renewBeforeSeconds " + spec.renewBeforeSeconds
          + " must be shorter than ttlSeconds " + ttl));
    }
    return violations;
  }
}
