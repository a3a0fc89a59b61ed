package dev.operator.sks.validation;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.naming.DerivedNames;
import dev.operator.sks.naming.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the schema cannot check about a KubeconfigRequest: certificate subject syntax, the TTL window, and whether
 * its Secret's name belongs to a cluster.
 *
 * <p>The Secret-name rule: a request never writes a Secret that is, or could become, a cluster's own. A name is
 * refused when it is {@code <c><suffix>} for a suffix of a cluster Secret ({@link DerivedNames#secretSuffixes()})
 * and {@code c} is the request's cluster or an SKSCluster of the namespace; and, for every suffix but
 * {@code -kubeconfig}, whenever {@code c} could be a cluster's name at all, so a request cannot take the CA of a
 * cluster made later. {@code -kubeconfig} is the one suffix shared with the requests' own default
 * ({@code <request>-kubeconfig}); a request named like a cluster made later keeps its Secret, and that cluster reports
 * the NameConflict.
 */
public final class KubeconfigRequestValidator {
    public static final String SECRET_NAME_RESERVED = "SecretNameReserved";
    private static final int MAX_SUBJECT = 64;

    private KubeconfigRequestValidator() {}

    public static List<Violation> validate(KubeconfigRequestSpec spec) {
        List<Violation> violations = new ArrayList<>();
        if (spec == null) {
            violations.add(new Violation("SpecMissing", "the KubeconfigRequest has no spec; set cluster and user"));
            return violations;
        }
        if (spec.user == null || spec.user.isBlank()) {
            violations.add(new Violation("InvalidUser", "spec.user must name a user (the certificate's common name)"));
        } else if (!Values.isPrintableSubject(spec.user)
                || spec.user.length() > MAX_SUBJECT
                || !spec.user.strip().equals(spec.user)) {
            // The value is not repeated: what makes it wrong may be invisible, or turn the message around.
            violations.add(new Violation(
                    "InvalidUser",
                    "spec.user must be at most " + MAX_SUBJECT + " printable "
                            + "characters, without control characters, invisible direction or formatting marks (U+200B..U+200F, "
                            + "U+202A..U+202E, U+2066..U+2069), or leading and trailing spaces"));
        }
        for (String group : Defaults.groups(spec)) {
            if (group == null
                    || group.isBlank()
                    || !Values.isPrintableSubject(group)
                    || group.length() > MAX_SUBJECT
                    || !group.strip().equals(group)) {
                violations.add(new Violation(
                        "InvalidGroup",
                        "every spec.groups entry must be 1 to " + MAX_SUBJECT
                                + " printable characters, without control characters, invisible direction or formatting marks, or "
                                + "leading and trailing spaces"));
                break;
            }
        }
        long ttl = Defaults.ttlSeconds(spec);
        if (ttl < KubeconfigRequestSpec.MIN_TTL_SECONDS || ttl > KubeconfigRequestSpec.MAX_TTL_SECONDS) {
            violations.add(new Violation(
                    "InvalidTTL",
                    "spec.ttlSeconds " + ttl + " is outside "
                            + KubeconfigRequestSpec.MIN_TTL_SECONDS + ".." + KubeconfigRequestSpec.MAX_TTL_SECONDS
                            + " (10 minutes to 30 days)"));
        }
        if (spec.renewBeforeSeconds != null && (spec.renewBeforeSeconds >= ttl || spec.renewBeforeSeconds < 60)) {
            violations.add(new Violation(
                    "InvalidRenewBefore",
                    "spec.renewBeforeSeconds " + spec.renewBeforeSeconds
                            + " must be at least 60 and shorter than ttlSeconds " + ttl));
        }
        return violations;
    }

    /**
     * Whether {@code secretName} is a cluster's Secret (see the class comment).
     *
     * @param cluster  the request's spec.cluster
     * @param clusters the SKSClusters of the request's namespace
     */
    public static Optional<Violation> checkSecretName(String secretName, String cluster, Collection<String> clusters) {
        // The default name grows the request's own name by 11 characters, past what a Secret's name may be.
        if (!Values.isDnsName(secretName) || secretName.startsWith("*.")) {
            return Optional.of(new Violation(
                    "InvalidSecretName",
                    "Secret name " + Values.quoted(shortened(secretName))
                            + " is not a valid Secret name (a DNS subdomain of at most 253 characters); set spec.secretName to a "
                            + "shorter name"));
        }
        Set<String> known = new LinkedHashSet<>();
        if (cluster != null) {
            known.add(cluster);
        }
        known.addAll(clusters);
        for (DerivedNames.Derived derived : DerivedNames.of(DerivedNames.Kind.SECRET)) {
            String suffix = derived.suffix();
            if (!secretName.endsWith(suffix) || secretName.length() == suffix.length()) {
                continue;
            }
            String owner = secretName.substring(0, secretName.length() - suffix.length());
            boolean sharedWithDefault = suffix.equals(Names.kubeconfigSecret(""));
            if (known.contains(owner)) {
                return Optional.of(new Violation(
                        SECRET_NAME_RESERVED,
                        "Secret " + secretName + " is the " + derived.what()
                                + " of SKSCluster '" + owner
                                + "'; a kubeconfig request never writes a cluster's Secret: set "
                                + "spec.secretName to another name, such as " + suggestion(secretName)));
            }
            if (!sharedWithDefault && ClusterNames.check(owner).isEmpty()) {
                return Optional.of(new Violation(
                        SECRET_NAME_RESERVED,
                        "Secret " + secretName + " is the name an "
                                + "SKSCluster '" + owner + "' gives its " + derived.what() + " (names ending in "
                                + suffix
                                + " are reserved for clusters); set spec.secretName to another name, such as "
                                + suggestion(secretName)));
            }
        }
        return Optional.empty();
    }

    private static String shortened(String name) {
        return name.length() <= 80 ? name : name.substring(0, 60) + "..." + name.substring(name.length() - 12);
    }

    /** A name outside the cluster scheme: cluster names have no dots. */
    private static String suggestion(String secretName) {
        return secretName + ".kubeconfig";
    }
}
