package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.validation.UpgradePolicy;
import dev.operator.sks.validation.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which upgrade {@code kubectl sks upgrade} may ask for. The operator's {@code status.availableUpgrades} is the
 * truth (it knows its own version catalog, which may differ from this jar's); a version it does not offer is refused
 * here with the operator's own words ({@link UpgradePolicy}), before the spec is touched.
 */
final class UpgradeChoice {
    private UpgradeChoice() {}

    sealed interface Decision permits Apply, Refuse {}

    /** Set {@code spec.version} to {@code version}. */
    record Apply(String version, String running) implements Decision {}

    record Refuse(String message) implements Decision {}

    static Decision decide(SKSCluster cluster, String to) {
        String name = cluster.getMetadata().getName();
        Optional<KubernetesVersion> requested =
                to.matches("^1\\.[0-9]{1,2}(\\.[0-9]{1,3})?$") ? KubernetesVersion.parse(to) : Optional.empty();
        if (requested.isEmpty()) {
            return new Refuse("--to " + to + " is not a Kubernetes version: write a minor (1.34) or a patch (1.34.1)");
        }
        Optional<KubernetesVersion> running = running(cluster);
        if (running.isEmpty()) {
            return new Refuse("cluster " + name + " runs no version yet (state " + state(cluster)
                    + "); wait until kubectl sks status " + name + " shows it Running");
        }
        List<KubernetesVersion> offered = available(cluster);
        KubernetesVersion want = requested.get();
        boolean isOffered = offered.stream()
                .anyMatch(
                        v -> want.isPatch() ? v.equals(want) : v.minorVersion().equals(want.minorVersion()));
        if (isOffered) {
            return new Apply(want.toString(), running.get().toString());
        }
        if (want.equals(running.get())
                || (!want.isPatch() && want.minorVersion().equals(running.get().minorVersion()))) {
            return new Refuse("cluster " + name + " already runs " + running.get()
                    + (want.isPatch() ? "" : ", the newest patch of " + want) + offeredText(offered, name));
        }
        // Said as the operator says it when the spec asks for it; a minor alone is checked as its first patch.
        KubernetesVersion checked =
                want.isPatch() ? want : new KubernetesVersion(want.major(), want.minor(), Optional.of(0));
        Optional<Violation> violation = UpgradePolicy.check(running.get(), checked, Optional.empty())
                .map(v -> new Violation(v.reason(), v.message().replace(checked.toString(), want.toString())));
        return new Refuse(violation.map(v -> v.reason() + ": " + v.message()).orElse(want + " is not offered")
                + offeredText(offered, name));
    }

    /** The listing of {@code kubectl sks upgrade CLUSTER}: what runs and, by minor, where it may go. */
    static List<String> describe(SKSCluster cluster) {
        String name = cluster.getMetadata().getName();
        List<String> lines = new ArrayList<>();
        Optional<KubernetesVersion> running = running(cluster);
        String spec = cluster.getSpec() == null ? null : cluster.getSpec().version;
        lines.add("Cluster " + name + " runs Kubernetes "
                + running.map(Object::toString).orElse("nothing yet") + " (spec.version " + spec + ", state "
                + state(cluster) + ").");
        List<KubernetesVersion> offered = available(cluster);
        if (offered.isEmpty()) {
            lines.add(
                    running.isPresent()
                            ? "No upgrade available: it runs the newest version the operator offers."
                            : "Upgrades are listed once the cluster runs.");
            return lines;
        }
        Map<String, List<String>> byMinor = new LinkedHashMap<>();
        offered.forEach(v -> byMinor.computeIfAbsent(v.minorVersion(), m -> new ArrayList<>())
                .add(v.toString()));
        lines.add("Available upgrades:");
        byMinor.forEach((minor, patches) -> lines.add(String.format(
                "  %-6s newest %-8s (patches: %s)",
                minor, patches.get(patches.size() - 1), String.join(", ", patches))));
        String next = byMinor.keySet().stream().reduce((a, b) -> b).orElseThrow();
        lines.add("Upgrade with: kubectl sks upgrade " + name + " --to " + next
                + " (one minor at a time; a minor means its newest patch)");
        return lines;
    }

    private static String offeredText(List<KubernetesVersion> offered, String name) {
        return offered.isEmpty()
                ? "; no upgrade is available now"
                : "; available: "
                        + String.join(
                                ", ", offered.stream().map(Object::toString).toList()) + " (kubectl sks upgrade " + name
                        + " lists them)";
    }

    private static Optional<KubernetesVersion> running(SKSCluster cluster) {
        return cluster.getStatus() == null ? Optional.empty() : KubernetesVersion.parse(cluster.getStatus().version);
    }

    private static List<KubernetesVersion> available(SKSCluster cluster) {
        if (cluster.getStatus() == null || cluster.getStatus().availableUpgrades == null) {
            return List.of();
        }
        return cluster.getStatus().availableUpgrades.stream()
                .map(KubernetesVersion::parse)
                .flatMap(Optional::stream)
                .sorted()
                .toList();
    }

    private static String state(SKSCluster cluster) {
        return cluster.getStatus() == null || cluster.getStatus().state == null
                ? "unknown"
                : cluster.getStatus().state.toString();
    }
}
