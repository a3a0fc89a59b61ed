package dev.operator.sks.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes-convention conditions: one per type, {@code lastTransitionTime} moves only when the status flips.
 */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    // Condition types.
    public static final String READY = "Ready";
    /** The spec is valid and may be acted on; False says what to fix and leaves what runs untouched. */
    public static final String ACCEPTED = "Accepted";

    public static final String CERTIFICATES_READY = "CertificatesReady";
    public static final String ETCD_READY = "EtcdReady";
    public static final String CONTROL_PLANE_READY = "ControlPlaneReady";
    public static final String DISRUPTION_BUDGETS_READY = "DisruptionBudgetsReady";
    public static final String TENANT_REACHABLE = "TenantReachable";
    /** True while an idle starter cluster is counting down to its deletion. */
    public static final String DELETION_SCHEDULED = "DeletionScheduled";
    /** Whether the cloud controller has an API key of its own (providers whose cloud controller needs one). */
    public static final String CLOUD_CREDENTIALS_READY = "CloudCredentialsReady";
    /** Whether the cluster's etcd backups are taken (pro, or starter with spec.backup) and the last one succeeded. */
    public static final String BACKUP_READY = "BackupReady";
    /** A cluster made from a backup (spec.restore): whether its CAs and snapshot were found and put in place. */
    public static final String RESTORE_READY = "RestoreReady";
    /** On an InstancePool of the simulated provider: its running instances have Ready Nodes in the tenant. */
    public static final String NODES_REGISTERED = "NodesRegistered";
    /** A Nodepool's machines have user-data to join with (token, endpoint, CA). */
    public static final String USER_DATA_READY = "UserDataReady";

    /** A Nodepool's machines are all made from its current revision (version, image, instance type, disk). */
    public static final String MACHINES_UP_TO_DATE = "MachinesUpToDate";
    /** Whether a Nodepool's auto-repair may act: False when too many machines are unhealthy to repair any. */
    public static final String AUTO_REPAIR = "AutoRepair";

    public static final String EXPIRED = "Expired";

    private Conditions() {}

    /** Sets a condition in {@code conditions}, keeping its transition time when the status does not change. */
    public static void set(
            List<Condition> conditions,
            String type,
            boolean status,
            String reason,
            String message,
            Long observedGeneration,
            Clock clock) {
        set(conditions, type, status ? TRUE : FALSE, reason, message, observedGeneration, clock);
    }

    public static void set(
            List<Condition> conditions,
            String type,
            String status,
            String reason,
            String message,
            Long observedGeneration,
            Clock clock) {
        Optional<Condition> existing = find(conditions, type);
        String transition = existing.filter(c -> Objects.equals(c.getStatus(), status))
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> timestamp(clock.instant()));
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transition)
                .build();
        existing.ifPresentOrElse(
                c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null
                ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }

    public static void remove(List<Condition> conditions, String type) {
        conditions.removeIf(c -> type.equals(c.getType()));
    }

    /** RFC 3339 in UTC with second precision, as Kubernetes writes metav1.Time. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
