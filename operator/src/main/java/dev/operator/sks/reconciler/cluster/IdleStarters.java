package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.naming.Labels;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * SKS deletes a starter cluster that has had no nodepool for a while (30 days by default): a free control plane
 * nobody runs workloads on. The count starts at the cluster's creation or at its last nodepool's deletion; a warning
 * (condition and Event) starts {@link #WARNING} before, and the deletion time is fixed when it starts, never sooner
 * than a full warning from then: an operator upgraded onto old idle clusters, or a shortened setting, gives every
 * cluster its week. A nodepool or the keep annotation cancels it; pro clusters are never deleted.
 */
final class IdleStarters {
    static final Duration WARNING = Duration.ofDays(7);

    /** What status says, and what is observed; a cluster without a spec has no level and is not counted. */
    record Observed(
            Level level,
            boolean keep,
            int nodepools,
            Optional<Instant> idleSince,
            Optional<Instant> scheduledDeletion,
            boolean reconciledBefore,
            Instant created) {}

    sealed interface Decision {
        /** What {@code status.idleSince} becomes. */
        Optional<Instant> idleSince();

        /** What {@code status.scheduledDeletion} becomes. */
        default Optional<Instant> scheduledDeletion() {
            return Optional.empty();
        }

        /** When to look again, with nothing else happening. */
        default Optional<Instant> lookAgainAt() {
            return Optional.empty();
        }
    }

    /** Not counted: pro, a nodepool, or clean-up turned off. */
    record NotCounted() implements Decision {
        @Override
        public Optional<Instant> idleSince() {
            return Optional.empty();
        }
    }

    /** Idle, but the keep annotation exempts it. */
    record Kept(Optional<Instant> idleSince) implements Decision {}

    /** Idle; the warning starts at {@code warnAt}. */
    record Counting(Optional<Instant> idleSince, Instant warnAt) implements Decision {
        @Override
        public Optional<Instant> lookAgainAt() {
            return Optional.of(warnAt);
        }
    }

    /** Warned: deleted at {@code deleteAt} unless something changes. */
    record Warned(Optional<Instant> idleSince, Instant deleteAt, boolean warningStarts) implements Decision {
        @Override
        public Optional<Instant> scheduledDeletion() {
            return Optional.of(deleteAt);
        }

        @Override
        public Optional<Instant> lookAgainAt() {
            return Optional.of(deleteAt);
        }
    }

    /** The time has come. */
    record Due(Optional<Instant> idleSince, Instant deleteAt) implements Decision {
        @Override
        public Optional<Instant> scheduledDeletion() {
            return Optional.of(deleteAt);
        }
    }

    private IdleStarters() {}

    /** What a cluster and its status say, with the nodepools that name it (by spec or by accepted status). */
    static Observed observe(SKSCluster cluster, SKSClusterStatus status, int nodepools) {
        Map<String, String> annotations = cluster.getMetadata().getAnnotations();
        return new Observed(
                cluster.getSpec() == null ? null : Defaults.level(cluster.getSpec()),
                annotations != null && "true".equals(annotations.get(Labels.KEEP_ANNOTATION)),
                nodepools,
                instant(status.idleSince),
                instant(status.scheduledDeletion),
                status.observedGeneration != null,
                instant(cluster.getMetadata().getCreationTimestamp()).orElse(Instant.EPOCH));
    }

    /** An unreadable time (a hand edit) counts as absent: the count restarts, later rather than sooner. */
    private static Optional<Instant> instant(String text) {
        try {
            return Optional.ofNullable(text).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** @param after how long a starter may stay without a nodepool; zero turns the clean-up off */
    static Decision decide(Observed observed, Instant now, Duration after) {
        if (after.isZero() || observed.level() != Level.STARTER || observed.nodepools() > 0) {
            return new NotCounted();
        }
        // A cluster seen before without a record lost its last nodepool just now (or predates the record): count from
        // now. A new one counts from its creation.
        Instant since = observed.idleSince().orElse(observed.reconciledBefore() ? now : observed.created());
        Optional<Instant> idleSince = Optional.of(since);
        if (observed.keep()) {
            return new Kept(idleSince);
        }
        Instant warnAt = since.plus(after).minus(WARNING);
        if (observed.scheduledDeletion().isEmpty() && now.isBefore(warnAt)) {
            return new Counting(idleSince, warnAt);
        }
        Instant deleteAt = observed.scheduledDeletion().orElseGet(() -> latest(since.plus(after), now.plus(WARNING)));
        if (now.isBefore(deleteAt)) {
            return new Warned(idleSince, deleteAt, observed.scheduledDeletion().isEmpty());
        }
        return new Due(idleSince, deleteAt);
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
