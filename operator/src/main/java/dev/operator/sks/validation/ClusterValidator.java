package dev.operator.sks.validation;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.OidcSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterAcceptedNetworking;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the schema cannot check about an SKSCluster (or what a server that ignores CEL rules lets through): its name,
 * the operator's zones, the version catalog, the networks and OIDC settings, and changes measured against what runs
 * now (recorded in status), so immutable fields stay immutable on any API server.
 */
public final class ClusterValidator {
    private final VersionCatalog catalog;
    private final List<String> zones;

    public ClusterValidator(VersionCatalog catalog, List<String> zones) {
        this.catalog = catalog;
        this.zones = List.copyOf(zones);
    }

    /** Everything wrong with {@code cluster}: its name, its spec, and its spec against what runs ({@code status}). */
    public List<Violation> validate(
            SKSCluster cluster, SKSClusterStatus status, Optional<KubernetesVersion> oldestKubelet) {
        List<Violation> violations = new ArrayList<>();
        // A cluster accepted before these rules existed keeps running under its name: refusing it now would stop its
        // certificates from being renewed. Its objects are told apart from another cluster's by owner references.
        boolean acceptedBefore = status != null && status.zone != null;
        if (!acceptedBefore) {
            ClusterNames.check(cluster.getMetadata().getName()).ifPresent(violations::add);
        }
        violations.addAll(validate(cluster.getSpec(), status, oldestKubelet));
        return violations;
    }

    /**
     * @param oldestKubelet the oldest kubelet among the tenant's Nodes when last looked at; empty without Nodes
     */
    public List<Violation> validate(
            SKSClusterSpec spec, SKSClusterStatus status, Optional<KubernetesVersion> oldestKubelet) {
        List<Violation> violations = new ArrayList<>();
        SKSClusterStatus current = status == null ? new SKSClusterStatus() : status;
        if (spec == null) {
            violations.add(new Violation("SpecMissing", "the SKSCluster has no spec; set at least zone and version"));
            return violations;
        }
        try {
            checkZone(spec, current, violations);
            checkLevel(spec, current, violations);
            checkVersion(spec, current, oldestKubelet, violations);
            checkNetworking(spec, current, violations);
            checkOidc(spec.oidc, violations);
            checkCertSans(spec, violations);
        } catch (RuntimeException unforeseen) {
            // A value no check foresaw must still end in a condition that says what to fix, never only in a log.
            violations.add(new Violation(
                    "InvalidSpec",
                    "the spec could not be checked (" + unforeseen.getClass().getSimpleName()
                            + "); correct the values of spec.version, spec.networking and spec.oidc"));
        }
        return violations;
    }

    /**
     * The networking to record in status once the spec is accepted: what was recorded before, or the spec's own in
     * canonical form the first time. Call only with an accepted spec.
     */
    public static SKSClusterAcceptedNetworking networkingToRecord(SKSClusterSpec spec, SKSClusterStatus status) {
        if (status != null && status.networking != null) {
            return status.networking;
        }
        return new SKSClusterAcceptedNetworking(
                canonical(Defaults.podCidr(spec)), canonical(Defaults.serviceCidr(spec)), Defaults.dnsDomain(spec));
    }

    private static String canonical(String cidr) {
        return Cidr.parse(cidr).map(Cidr::toString).orElse(cidr);
    }

    private void checkZone(SKSClusterSpec spec, SKSClusterStatus status, List<Violation> violations) {
        if (status.zone != null && !status.zone.equals(spec.zone)) {
            violations.add(new Violation(
                    "ZoneImmutable",
                    "spec.zone cannot change from " + status.zone + " to "
                            + Values.quoted(spec.zone) + ": a cluster cannot move between zones; set spec.zone back to "
                            + status.zone));
        } else if (spec.zone == null || !zones.contains(spec.zone)) {
            violations.add(new Violation(
                    "ZoneNotOffered",
                    "spec.zone " + Values.quoted(spec.zone) + " is not offered by this operator; use one of "
                            + String.join(", ", zones)));
        }
    }

    private static void checkLevel(SKSClusterSpec spec, SKSClusterStatus status, List<Violation> violations) {
        if (status.level == Level.PRO && Defaults.level(spec) == Level.STARTER) {
            violations.add(new Violation(
                    "LevelDowngradeRefused", "spec.level cannot go from pro back to starter; set spec.level to pro"));
        }
    }

    private void checkVersion(
            SKSClusterSpec spec,
            SKSClusterStatus status,
            Optional<KubernetesVersion> oldestKubelet,
            List<Violation> violations) {
        Optional<KubernetesVersion> requested = resolve(spec.version);
        if (requested.isEmpty()) {
            violations.add(new Violation(
                    "VersionNotSupported",
                    "spec.version " + Values.quoted(spec.version) + " is not in the version catalog; supported: "
                            + supportedVersions()));
            return;
        }
        Optional<KubernetesVersion> running = KubernetesVersion.parse(status.version);
        if (running.isPresent()) {
            Optional<Violation> refused = UpgradePolicy.check(running.get(), requested.get(), oldestKubelet);
            refused.ifPresent(violations::add);
        }
    }

    /** The catalog's version for {@code text}; empty for text that is no version at all (too many digits, say). */
    private Optional<KubernetesVersion> resolve(String text) {
        try {
            return catalog.resolve(text);
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    private static void checkNetworking(SKSClusterSpec spec, SKSClusterStatus status, List<Violation> violations) {
        Optional<Cidr> pods = checkCidr("podCIDR", Defaults.podCidr(spec), "192.168.0.0/16", violations);
        Optional<Cidr> services = checkCidr("serviceCIDR", Defaults.serviceCidr(spec), "10.96.0.0/12", violations);
        if (pods.isPresent() && services.isPresent()) {
            if (pods.get().overlaps(services.get())) {
                violations.add(new Violation(
                        "InvalidNetworking",
                        "spec.networking.podCIDR " + pods.get() + " overlaps serviceCIDR " + services.get()
                                + "; choose disjoint ranges"));
            }
            if (services.get().prefixLength() < 12 || services.get().prefixLength() > 24) {
                violations.add(
                        new Violation(
                                "InvalidNetworking",
                                "spec.networking.serviceCIDR " + services.get()
                                        + " must have a prefix between /12 and /24 (the API server allocates from at most 2^20 addresses)"));
            }
            if (pods.get().prefixLength() > 24) {
                violations.add(new Violation(
                        "InvalidNetworking",
                        "spec.networking.podCIDR " + pods.get()
                                + " is too small: every node takes a /24 of it; use /24 or larger"));
            }
        }
        String domain = Defaults.dnsDomain(spec);
        if (!Values.isDnsName(domain)
                || domain.startsWith("*.")
                || java.util.Arrays.stream(domain.split("\\.")).anyMatch(label -> label.length() > 63)) {
            violations.add(
                    new Violation(
                            "InvalidNetworking",
                            "spec.networking.dnsDomain " + Values.quoted(domain)
                                    + " is not a DNS domain of labels of at most 63 characters, 253 in all; use one such as cluster.local"));
        }
        SKSClusterAcceptedNetworking accepted = status.networking;
        if (accepted != null) {
            immutable("podCIDR", accepted.podCIDR, pods.map(Cidr::toString).orElse(Defaults.podCidr(spec)), violations);
            immutable(
                    "serviceCIDR",
                    accepted.serviceCIDR,
                    services.map(Cidr::toString).orElse(Defaults.serviceCidr(spec)),
                    violations);
            immutable("dnsDomain", accepted.dnsDomain, domain, violations);
        }
    }

    /** A CIDR that parses and is written canonically: 192.168.1.5/16 would silently mean 192.168.0.0/16. */
    private static Optional<Cidr> checkCidr(String field, String text, String example, List<Violation> violations) {
        Optional<Cidr> cidr = Cidr.parse(text);
        if (cidr.isEmpty()) {
            violations.add(new Violation(
                    "InvalidNetworking",
                    "spec.networking." + field + " " + Values.quoted(text) + " is not an IPv4 CIDR such as "
                            + example));
        } else if (!cidr.get().toString().equals(text)) {
            violations.add(new Violation(
                    "InvalidNetworking",
                    "spec.networking." + field + " " + Values.quoted(text)
                            + " is not in canonical form (address bits set beyond the prefix, or leading zeros); write "
                            + cidr.get()));
            return Optional.empty();
        }
        return cidr;
    }

    private static void immutable(String field, String accepted, String requested, List<Violation> violations) {
        if (accepted != null && !accepted.equals(requested)) {
            violations.add(new Violation(
                    "NetworkingImmutable",
                    "spec.networking." + field + " cannot change from "
                            + accepted + " to " + Values.quoted(requested)
                            + ": the cluster runs with it; set it back to " + accepted
                            + ", or create a new cluster"));
        }
    }

    /**
     * The API server takes the issuer as a URL and the required claims as one comma-joined flag
     * ({@code --oidc-required-claim=k=v}, repeated): a ',' or '=' inside a key or value would make other claims.
     */
    private static void checkOidc(OidcSpec oidc, List<Violation> violations) {
        if (oidc == null) {
            return;
        }
        String issuer = oidc.issuerURL;
        if (!isHttpsUrlWithHost(issuer)) {
            violations.add(new Violation(
                    "InvalidOIDC",
                    "spec.oidc.issuerURL " + Values.quoted(issuer)
                            + " is not an https URL with a host and without spaces, query or fragment; use one such as "
                            + "https://issuer.example.com"));
        }
        if (oidc.clientID == null
                || oidc.clientID.isBlank()
                || Values.hasControlCharacters(oidc.clientID)
                || oidc.clientID.contains(",")) {
            violations.add(new Violation(
                    "InvalidOIDC", "spec.oidc.clientID must be set, without ',' or control " + "characters"));
        }
        for (String field :
                new String[] {oidc.usernameClaim, oidc.usernamePrefix, oidc.groupsClaim, oidc.groupsPrefix}) {
            if (field != null && Values.hasControlCharacters(field)) {
                violations.add(new Violation(
                        "InvalidOIDC", "spec.oidc claims and prefixes must not contain control " + "characters"));
                break;
            }
        }
        if (oidc.requiredClaims != null) {
            for (Map.Entry<String, String> claim : oidc.requiredClaims.entrySet()) {
                String key = claim.getKey();
                String value = claim.getValue() == null ? "" : claim.getValue();
                if (key == null || key.isEmpty() || hasSeparator(key) || hasSeparator(value)) {
                    violations.add(new Violation(
                            "InvalidOIDC",
                            "spec.oidc.requiredClaims entry " + Values.quoted(key)
                                    + " must have a non-empty key, and neither key nor value may contain ',', '=' or control characters "
                                    + "(the API server would read them as more claims)"));
                }
            }
        }
    }

    private static boolean hasSeparator(String text) {
        return text.contains(",") || text.contains("=") || Values.hasControlCharacters(text);
    }

    static boolean isHttpsUrlWithHost(String text) {
        if (text == null || text.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return false;
        }
        try {
            URI uri = new URI(text);
            return "https".equals(uri.getScheme())
                    && uri.getHost() != null
                    && !uri.getHost().isEmpty()
                    && uri.getRawQuery() == null
                    && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void checkCertSans(SKSClusterSpec spec, List<Violation> violations) {
        for (String san : Defaults.certSans(spec)) {
            if (!Values.isDnsName(san) && !Values.isIpv4(san) && !Values.isIpv6(san)) {
                violations.add(new Violation(
                        "InvalidCertSAN",
                        "spec.controlPlane.certSANs entry " + Values.quoted(san)
                                + " is neither a DNS name nor an IP address"));
            }
        }
    }

    private String supportedVersions() {
        return catalog.supportedMinors().stream()
                .map(minor -> minor + " ("
                        + catalog.release(minor).orElseThrow().patches().get(0) + " to " + catalog.newestPatchOf(minor)
                        + ")")
                .collect(Collectors.joining(", "));
    }
}
