package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSClusterBackup;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.backup.BackupPlan;
import dev.operator.sks.backup.EtcdBackups;
import dev.operator.sks.events.EventType;
import dev.operator.sks.status.ConditionEvents.Transition;
import dev.operator.sks.status.Conditions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How backups read in status ({@code status.backup}, {@code BackupReady}) and Events. The condition tells the last
 * outcome; before the first, or after a configuration problem is fixed, it is Unknown with when the next is due.
 */
final class BackupReport {
    static final String BACKUP_SUCCEEDED = "BackupSucceeded";
    static final String BACKUP_FAILED = "BackupFailed";
    static final String BACKUP_REQUESTED = "BackupRequested";
    static final String STORE_NOT_CONFIGURED = "BackupStoreNotConfigured";
    static final String INVALID_SCHEDULE = "InvalidSchedule";
    static final String SCHEDULED = "Scheduled";
    static final String RUNNING = "BackupRunning";
    static final String WAITING_FOR_ETCD = "WaitingForEtcd";
    /** Reasons about the set-up, not about a backup: replaced as soon as the set-up is right. */
    private static final Set<String> SET_UP = Set.of(STORE_NOT_CONFIGURED, INVALID_SCHEDULE, WAITING_FOR_ETCD);

    private BackupReport() {}

    /**
     * Records a finished backup in status, once: the same outcome reported again changes nothing and tells nothing.
     */
    static List<Transition> finished(SKSClusterStatus status, EtcdBackups.Outcome outcome, Clock clock) {
        SKSClusterBackup backup = status.backup == null ? new SKSClusterBackup() : status.backup;
        status.backup = backup;
        if (outcome instanceof EtcdBackups.Succeeded s) {
            String taken = Conditions.timestamp(s.result().taken());
            if (Objects.equals(backup.lastSuccessTime, taken)) {
                return List.of();
            }
            backup.lastSuccessTime = taken;
            backup.lastSize = s.result().size();
            backup.lastObject = s.result().snapshotKey();
            backup.lastSha256 = s.result().sha256();
            backup.lastDurationSeconds = s.result().took().toMillis() / 1000.0;
            String message = "backed up etcd to " + s.result().snapshotKey() + " ("
                    + s.result().size() + " bytes, "
                    + "SHA-256 " + s.result().sha256().substring(0, 12) + "..., "
                    + s.result().took().toMillis()
                    + " ms)"
                    + (s.result().deleted().isEmpty()
                            ? ""
                            : "; retention deleted " + s.result().deleted().size() + " older objects");
            Conditions.set(
                    status.conditions,
                    Conditions.BACKUP_READY,
                    true,
                    BACKUP_SUCCEEDED,
                    message,
                    status.observedGeneration,
                    clock);
            return List.of(new Transition(EventType.Normal, BACKUP_SUCCEEDED, message));
        }
        EtcdBackups.Failed f = (EtcdBackups.Failed) outcome;
        String at = Conditions.timestamp(f.finished());
        if (Objects.equals(backup.lastFailureTime, at)) {
            return List.of();
        }
        backup.lastFailureTime = at;
        backup.lastFailureReason = f.reason();
        String message = "the etcd backup failed (" + f.reason() + "): " + f.message() + "; tried again in "
                + BackupPlan.RETRY_AFTER_FAILURE.toMinutes() + " minutes";
        Conditions.set(
                status.conditions,
                Conditions.BACKUP_READY,
                false,
                f.reason(),
                message,
                status.observedGeneration,
                clock);
        return List.of(new Transition(EventType.Warning, BACKUP_FAILED, message));
    }

    /** What the plan says now: the next time, and the condition where no outcome speaks yet. */
    static void plan(SKSClusterStatus status, BackupPlan.Decision decision, Clock clock) {
        if (decision instanceof BackupPlan.NotWanted) {
            Conditions.remove(status.conditions, Conditions.BACKUP_READY);
            if (status.backup != null) {
                status.backup.nextScheduled = null;
            }
            return;
        }
        SKSClusterBackup backup = status.backup == null ? new SKSClusterBackup() : status.backup;
        status.backup = backup;
        if (decision instanceof BackupPlan.StoreMissing) {
            backup.nextScheduled = null;
            condition(
                    status,
                    Conditions.FALSE,
                    STORE_NOT_CONFIGURED,
                    "this cluster is to be backed up, but the operator has no backup store: set "
                            + "SKS_BACKUP_S3_ENDPOINT and SKS_BACKUP_S3_BUCKET"
                            + " (Helm backup.s3.endpoint and backup.s3.bucket)",
                    clock);
        } else if (decision instanceof BackupPlan.InvalidSchedule invalid) {
            backup.nextScheduled = null;
            condition(
                    status,
                    Conditions.FALSE,
                    INVALID_SCHEDULE,
                    "spec.backup.schedule: " + invalid.problem() + "; write five fields in UTC, e.g. "
                            + "\"30 2 * * *\" for 02:30 daily",
                    clock);
        } else if (decision instanceof BackupPlan.Running running) {
            backup.nextScheduled = running.next().map(Instant::toString).orElse(null);
            unlessOutcome(status, RUNNING, "an etcd backup is running", clock);
        } else if (decision instanceof BackupPlan.Due due) {
            backup.nextScheduled = due.next().map(Instant::toString).orElse(null);
            due.request().ifPresent(r -> backup.lastRequest = r);
            unlessOutcome(status, RUNNING, "an etcd backup is running", clock);
        } else if (decision instanceof BackupPlan.Waiting waiting) {
            backup.nextScheduled = waiting.next().map(Instant::toString).orElse(null);
            if (waiting.etcdNotReady()) {
                unlessOutcome(status, WAITING_FOR_ETCD, "a backup is due, and is taken once etcd is ready", clock);
            } else {
                unlessOutcome(status, SCHEDULED, "the first etcd backup is due at " + backup.nextScheduled, clock);
            }
        }
    }

    static final String RESTORE_PREPARED = "RestorePrepared";
    static final String RESTORE_FAILED = "RestoreFailed";

    /** The CAs are back and the members can fetch the snapshot. */
    static List<Transition> restored(SKSClusterStatus status, String snapshot, Clock clock) {
        String message = "restoring from " + snapshot + ": the certificate authorities are back, and each etcd member "
                + "restores the snapshot (SHA-256 checked) into its empty data directory when it starts";
        Conditions.set(
                status.conditions,
                Conditions.RESTORE_READY,
                true,
                RESTORE_PREPARED,
                message,
                status.observedGeneration,
                clock);
        return List.of(new Transition(EventType.Normal, RESTORE_PREPARED, message));
    }

    /** Nothing of the cluster is made until the restore can be prepared: it would get CAs of its own. */
    static List<Transition> restoreFailed(SKSClusterStatus status, String reason, String problem, Clock clock) {
        String message = "cannot restore yet (" + reason + "): " + problem + "; nothing of the cluster is made until "
                + "then, tried again every minute";
        boolean changed = Conditions.find(status.conditions, Conditions.RESTORE_READY)
                .map(c -> !message.equals(c.getMessage()))
                .orElse(true);
        Conditions.set(
                status.conditions, Conditions.RESTORE_READY, false, reason, message, status.observedGeneration, clock);
        return changed ? List.of(new Transition(EventType.Warning, RESTORE_FAILED, message)) : List.of();
    }

    /** Sets Unknown only where no backup outcome has spoken yet (or a set-up problem spoke last). */
    private static void unlessOutcome(SKSClusterStatus status, String reason, String message, Clock clock) {
        boolean outcomeSpoke = Conditions.find(status.conditions, Conditions.BACKUP_READY)
                .filter(c -> !Conditions.UNKNOWN.equals(c.getStatus()) && !SET_UP.contains(c.getReason()))
                .isPresent();
        if (!outcomeSpoke) {
            condition(status, Conditions.UNKNOWN, reason, message, clock);
        }
    }

    private static void condition(SKSClusterStatus status, String value, String reason, String message, Clock clock) {
        Conditions.set(
                status.conditions, Conditions.BACKUP_READY, value, reason, message, status.observedGeneration, clock);
    }
}
