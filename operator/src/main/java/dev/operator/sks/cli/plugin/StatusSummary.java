package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one-screen summary of {@code kubectl sks status}: the cluster, its conditions, its nodepools with theirs, and
 * its kubeconfigs. A nodepool belongs to the cluster whose UID it was accepted for ({@code status.clusterUID}); one
 * naming the cluster that has not been accepted yet is shown as such. Never reads a Secret.
 */
final class StatusSummary {
    private StatusSummary() {}

    static List<String> render(
            SKSCluster cluster, List<Nodepool> nodepools, List<KubeconfigRequest> requests, Instant now) {
        String name = cluster.getMetadata().getName();
        var spec = cluster.getSpec();
        var status = cluster.getStatus();
        List<String> lines = new ArrayList<>();
        lines.add("Cluster " + name + " (namespace " + cluster.getMetadata().getNamespace() + ")");
        lines.add("  State:     " + (status == null || status.state == null ? "unknown" : status.state)
                + (cluster.getMetadata().getDeletionTimestamp() == null ? "" : " (being deleted)"));
        lines.add("  Version:   " + orDash(status == null ? null : status.version) + " (spec " + spec.version
                + (Boolean.TRUE.equals(spec.autoUpgrade) ? ", autoUpgrade" : "") + ")");
        lines.add("  Zone:      " + orDash(status == null ? null : status.zone) + "   Level: "
                + orDash(status == null || status.level == null ? null : wire(status.level)));
        lines.add("  Endpoint:  " + orDash(status == null ? null : status.endpoint));
        lines.add("  Addons:    "
                + (spec.addons == null || spec.addons.isEmpty()
                        ? "-"
                        : String.join(
                                ", ",
                                spec.addons.stream().map(StatusSummary::wire).toList())));
        lines.add("  Upgrades:  "
                + (status == null || status.availableUpgrades == null || status.availableUpgrades.isEmpty()
                        ? "none"
                        : String.join(", ", status.availableUpgrades)));
        conditions(lines, status == null ? null : status.conditions, "  ");

        List<Nodepool> own = nodepools.stream()
                .filter(np -> belongs(np, cluster))
                .sorted(java.util.Comparator.comparing(np -> np.getMetadata().getName()))
                .toList();
        lines.add("");
        if (own.isEmpty()) {
            lines.add("Nodepools: none");
        } else {
            lines.add("Nodepools:");
            lines.add(String.format(
                    "  %-20s %-5s %-5s %-18s %-9s %s", "NAME", "SIZE", "READY", "INSTANCE TYPE", "STATE", "VERSION"));
            for (Nodepool np : own) {
                var s = np.getStatus();
                lines.add(String.format(
                        "  %-20s %-5s %-5s %-18s %-9s %s",
                        np.getMetadata().getName(),
                        np.getSpec().size,
                        s == null || s.readyNodes == null ? "-" : s.readyNodes,
                        np.getSpec().instanceType,
                        s == null || s.state == null ? "-" : s.state,
                        s == null || s.version == null ? "-" : s.version));
                if (s == null || s.clusterUID == null) {
                    lines.add("    not accepted for this cluster yet");
                }
                conditions(lines, s == null ? null : s.conditions, "    ");
            }
        }

        List<KubeconfigRequest> kubeconfigs = requests.stream()
                .filter(r -> r.getSpec() != null && name.equals(r.getSpec().cluster))
                .sorted(java.util.Comparator.comparing(r -> r.getMetadata().getName()))
                .toList();
        lines.add("");
        if (kubeconfigs.isEmpty()) {
            lines.add("Kubeconfigs: none (get one with kubectl sks kubeconfig " + name + " --user USER)");
        } else {
            lines.add("Kubeconfigs:");
            for (KubeconfigRequest r : kubeconfigs) {
                Condition ready = r.getStatus() == null
                        ? null
                        : Conditions.find(r.getStatus().conditions, Conditions.READY)
                                .orElse(null);
                lines.add(String.format(
                        "  %-28s user %-16s %s",
                        r.getMetadata().getName(),
                        r.getSpec().user,
                        ready == null
                                ? "pending"
                                : Conditions.TRUE.equals(ready.getStatus())
                                        ? "expires " + expiry(r.getStatus().expirationTime, now)
                                        : "not ready: " + ready.getReason()));
            }
        }
        return lines;
    }

    private static boolean belongs(Nodepool np, SKSCluster cluster) {
        String uid = np.getStatus() == null ? null : np.getStatus().clusterUID;
        if (uid != null) {
            return uid.equals(cluster.getMetadata().getUid());
        }
        return np.getSpec() != null
                && Objects.equals(np.getSpec().cluster, cluster.getMetadata().getName());
    }

    /** Ready first, then every other condition that is not True: what needs a look. */
    private static void conditions(List<String> lines, List<Condition> conditions, String indent) {
        if (conditions == null || conditions.isEmpty()) {
            lines.add(indent + "Conditions: none reported yet (is the operator running?)");
            return;
        }
        List<Condition> shown = new ArrayList<>();
        Conditions.find(conditions, Conditions.READY).ifPresent(shown::add);
        conditions.stream()
                .filter(c -> !Conditions.READY.equals(c.getType()))
                .filter(c -> !Conditions.TRUE.equals(c.getStatus()) && !Conditions.EXPIRED.equals(c.getType()))
                .forEach(shown::add);
        for (Condition c : shown) {
            lines.add(String.format(
                    "%s%-18s %-6s %-22s %s",
                    indent, c.getType(), c.getStatus(), c.getReason(), orDash(c.getMessage())));
        }
        long fine = conditions.stream()
                .filter(c -> !shown.contains(c) && Conditions.TRUE.equals(c.getStatus()))
                .count();
        if (fine > 0) {
            lines.add(indent + "(" + fine + " more condition" + (fine == 1 ? "" : "s") + " True)");
        }
    }

    private static String expiry(String expirationTime, Instant now) {
        if (expirationTime == null) {
            return "-";
        }
        try {
            return expirationTime + " (in "
                    + Durations.human(java.time.Duration.between(now, Instant.parse(expirationTime))) + ")";
        } catch (DateTimeParseException e) {
            return expirationTime;
        }
    }

    /** An API enum as the YAML writes it ({@code starter}, {@code metrics-server}), not as Java names it. */
    static String wire(Enum<?> value) {
        try {
            com.fasterxml.jackson.annotation.JsonProperty property = value.getDeclaringClass()
                    .getField(value.name())
                    .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            return property == null ? value.name() : property.value();
        } catch (NoSuchFieldException e) {
            return value.name();
        }
    }

    private static String orDash(String text) {
        return text == null || text.isBlank() ? "-" : text;
    }
}
