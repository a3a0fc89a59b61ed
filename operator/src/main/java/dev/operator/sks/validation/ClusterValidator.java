package dev.operator.sks.validation;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the schema cannot check about an SKSCluster: the operator's zones, the version catalog, and changes
 * measured against what runs now (recorded in status).
 */
public final class ClusterValidator {
  private final VersionCatalog catalog;
  private final List<String> zones;

  public ClusterValidator(VersionCatalog catalog, List<String> zones) {
    this.catalog = catalog;
    this.zones = List.copyOf(zones);
  }

  /**
   * @param oldestKubelet the oldest kubelet among the tenant's Nodes when last looked at; empty without Nodes
   */
  public List<Violation> validate(SKSClusterSpec spec, SKSClusterStatus status,
      Optional<KubernetesVersion> oldestKubelet) {
    List<Violation> violations = new ArrayList<>();
    SKSClusterStatus current = status == null ? new SKSClusterStatus() : status;
    if (spec == null) {
      violations.add(new Violation("SpecMissing", "the SKSCluster has no spec; set at least zone and version"));
      return violations;
    }
    checkZone(spec, current, violations);
    checkLevel(spec, current, violations);
    checkVersion(spec, current, oldestKubelet, violations);
    checkNetworking(spec, violations);
    checkCertSans(spec, violations);
    return violations;
  }

  private void checkZone(SKSClusterSpec spec, SKSClusterStatus status, List<Violation> violations) {
    if (status.zone != null && !status.zone.equals(spec.zone)) {
      violations.add(new Violation("ZoneImmutable", "spec.zone cannot change from " + status.zone + " to "
          + spec.zone + ": a cluster cannot move between zones; set spec.zone back to " + status.zone));
    } else if (spec.zone == null || !zones.contains(spec.zone)) {
      violations.add(new Violation("ZoneNotOffered", "spec.zone '" + spec.zone
          + "' is not offered by this operator; use one of " + String.join(", ", zones)));
    }
  }

  private static void checkLevel(SKSClusterSpec spec, SKSClusterStatus status, List<Violation> violations) {
    if (status.level == Level.PRO && Defaults.level(spec) == Level.STARTER) {
      violations.add(new Violation("LevelDowngradeRefused",
          "spec.level cannot go from pro back to starter; set spec.level to pro"));
    }
  }

  private void checkVersion(SKSClusterSpec spec, SKSClusterStatus status, Optional<KubernetesVersion> oldestKubelet,
      List<Violation> violations) {
    Optional<KubernetesVersion> requested = catalog.resolve(spec.version);
    if (requested.isEmpty()) {
      violations.add(new Violation("VersionNotSupported", "spec.version '" + spec.version
          + "' is not in the version catalog; supported: " + supportedVersions()));
      return;
    }
    Optional<KubernetesVersion> running = KubernetesVersion.parse(status.version);
    if (running.isPresent()) {
      Optional<Violation> refused = UpgradePolicy.check(running.get(), requested.get(), oldestKubelet);
      refused.ifPresent(violations::add);
    }
  }

  private static void checkNetworking(SKSClusterSpec spec, List<Violation> violations) {
    Optional<Cidr> pods = Cidr.parse(Defaults.podCidr(spec));
    Optional<Cidr> services = Cidr.parse(Defaults.serviceCidr(spec));
    if (pods.isEmpty()) {
      violations.add(new Violation("InvalidNetworking", "spec.networking.podCIDR '" + Defaults.podCidr(spec)
          + "' is not an IPv4 CIDR such as 192.168.0.0/16"));
    }
    if (services.isEmpty()) {
      violations.add(new Violation("InvalidNetworking", "spec.networking.serviceCIDR '" + Defaults.serviceCidr(spec)
          + "' is not an IPv4 CIDR such as 10.96.0.0/12"));
    }
    if (pods.isPresent() && services.isPresent()) {
      if (pods.get().overlaps(services.get())) {
        violations.add(new Violation("InvalidNetworking", "spec.networking.podCIDR " + pods.get()
            + " overlaps serviceCIDR " + services.get() + "; choose disjoint ranges"));
      }
      if (services.get().prefixLength() < 12 || services.get().prefixLength() > 24) {
        violations.add(new Violation("InvalidNetworking", "spec.networking.serviceCIDR " + services.get()
            + " must have a prefix between /12 and /24 (the API server allocates from at most 2^20 addresses)"));
      }
      if (pods.get().prefixLength() > 24) {
        violations.add(new Violation("InvalidNetworking", "spec.networking.podCIDR " + pods.get()
            + " is too small: every node takes a /24 of it; use /24 or larger"));
      }
    }
  }

  private static void checkCertSans(SKSClusterSpec spec, List<Violation> violations) {
    for (String san : Defaults.certSans(spec)) {
      if (!Values.isDnsName(san) && !Values.isIpv4(san) && !Values.isIpv6(san)) {
        violations.add(new Violation("InvalidCertSAN", "spec.controlPlane.certSANs entry '" + san
            + "' is neither a DNS name nor an IP address"));
      }
    }
  }

  private String supportedVersions() {
    return catalog.supportedMinors().stream()
        .map(minor -> minor + " (" + catalog.release(minor).orElseThrow().patches().get(0) + " to "
            + catalog.newestPatchOf(minor) + ")")
        .collect(Collectors.joining(", "));
  }
}
