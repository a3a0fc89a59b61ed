package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.BackupSpec;
import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterBackup;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.backup.BackupPlan;
import dev.operator.sks.backup.BackupSchedules;
import dev.operator.sks.backup.EtcdBackups;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.EtcdRenderer;
import dev.operator.sks.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out {@link BackupPlan} for one reconcile: reports the outcome of a backup that finished into status (with
 * its Event), starts one when due on {@link EtcdBackups}' workers, and says when to look again. The reconcile never
 * waits for a backup.
 */
final class ClusterBackups {
    static final int DEFAULT_KEEP = 7;

    private final Optional<EtcdBackups> backups;
    private final EventRecorder events;
    private final Clock clock;

    ClusterBackups(Optional<EtcdBackups> backups, EventRecorder events, Clock clock) {
        this.backups = backups;
        this.events = events;
        this.clock = clock;
    }

    /** @param status what this reconcile is about to write, EtcdReady already worded */
    Optional<Duration> run(SKSCluster cluster, SKSClusterStatus status) {
        String uid = cluster.getMetadata().getUid();
        backups.flatMap(b -> b.last(uid))
                .ifPresent(outcome -> BackupReport.finished(status, outcome, clock)
                        .forEach(e -> events.record(cluster, e.type(), e.reason(), e.message())));
        BackupSpec spec = cluster.getSpec().backup;
        Level level = Defaults.level(cluster.getSpec());
        SKSClusterBackup recorded = status.backup == null ? new SKSClusterBackup() : status.backup;
        BackupPlan.Observed observed = new BackupPlan.Observed(
                level == Level.PRO || spec != null,
                backups.isPresent(),
                spec != null && spec.schedule != null ? spec.schedule : BackupSchedules.dailyFor(uid),
                instant(cluster.getMetadata().getCreationTimestamp()).orElse(clock.instant()),
                instant(recorded.lastSuccessTime),
                instant(recorded.lastFailureTime),
                annotation(cluster, Labels.BACKUP_NOW_ANNOTATION),
                Optional.ofNullable(recorded.lastRequest),
                Conditions.isTrue(status.conditions, Conditions.ETCD_READY),
                backups.map(b -> b.running(uid)).orElse(false));
        BackupPlan.Decision decision = BackupPlan.decide(observed, clock.instant());
        if (decision instanceof BackupPlan.Due due) {
            int members = status.etcd != null && status.etcd.members != null
                    ? status.etcd.members
                    : EtcdRenderer.members(level);
            boolean started = backups.orElseThrow()
                    .start(new EtcdBackups.Request(cluster, members, keepCount(spec), keepMaxAge(spec), due.request()));
            if (started && due.request().isPresent()) {
                events.normal(
                        cluster,
                        BackupReport.BACKUP_REQUESTED,
                        "taking an etcd backup now, as the annotation " + Labels.BACKUP_NOW_ANNOTATION + "="
                                + due.request().get() + " asks");
            }
        }
        BackupReport.plan(status, decision, clock);
        return decision.lookAgain();
    }

    static Optional<Integer> keepCount(BackupSpec spec) {
        return Optional.of(
                spec != null && spec.retention != null && spec.retention.count != null
                        ? spec.retention.count
                        : DEFAULT_KEEP);
    }

    /** "30d" or "72h", as the schema admits; anything else is no limit (the schema refuses it first). */
    static Optional<Duration> keepMaxAge(BackupSpec spec) {
        if (spec == null || spec.retention == null || spec.retention.maxAge == null) {
            return Optional.empty();
        }
        String text = spec.retention.maxAge.strip();
        try {
            long value = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 'd' -> Optional.of(Duration.ofDays(value));
                case 'h' -> Optional.of(Duration.ofHours(value));
                default -> Optional.empty();
            };
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> annotation(SKSCluster cluster, String key) {
        Map<String, String> annotations = cluster.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(key))
                .filter(v -> !v.isBlank());
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.ofNullable(text).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
