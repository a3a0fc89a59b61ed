package dev.operator.sks.cli.plugin;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What {@code kubectl sks kubeconfig} asks for, and how a KubeconfigRequest stands against it: equal requests are
 * reused rather than piling up one per run, and a request's conditions say whether its kubeconfig is there yet.
 */
record KubeconfigAsk(String cluster, String user, List<String> groups, long ttlSeconds) {

    /** Where a request stands, read from its status for its current generation. */
    sealed interface Progress permits Issued, Pending, Refused {}

    /** The kubeconfig is in {@code secretName}. */
    record Issued(String secretName, String expirationTime) implements Progress {}

    /** Still on its way: the operator has not looked yet, or waits for the cluster. */
    record Pending(String reason, String message) implements Progress {}

    /** The operator will not issue it as asked; {@code message} says what to fix. */
    record Refused(String reason, String message) implements Progress {}

    /** Reasons of a Ready=False that the operator gets past by itself (the cluster becoming ready). */
    private static final List<String> PASSING_REASONS = List.of("ClusterNotFound");

    KubeconfigRequestSpec spec() {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = cluster;
        spec.user = user;
        spec.groups = List.copyOf(groups);
        spec.ttlSeconds = ttlSeconds;
        return spec;
    }

    /**
     * The request to reuse: one asking for the same cluster, user, groups (in any order: RBAC sees a set) and lifetime,
     * without renewal, not being deleted, whose kubeconfig has not been withdrawn (expired or revoked) and, once issued,
     * has at least half its lifetime ahead. Of several, the one expiring last.
     */
    Optional<KubeconfigRequest> reusable(List<KubeconfigRequest> requests, Instant now) {
        return requests.stream()
                .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
                .filter(this::asksTheSame)
                .filter(r -> !(progress(r) instanceof Refused))
                .filter(r -> !(progress(r) instanceof Issued issued) || livesLongEnough(issued, now))
                .max(Comparator.comparing(
                        (KubeconfigRequest r) -> progress(r) instanceof Issued issued ? issued.expirationTime() : "",
                        Comparator.nullsFirst(Comparator.naturalOrder())));
    }

    /**
     * Whether an issued kubeconfig still has at least half the asked lifetime ahead: asking for 24h and getting one
     * that dies in ten minutes would surprise; a fresh request is made instead.
     */
    private boolean livesLongEnough(Issued issued, Instant now) {
        try {
            return issued.expirationTime() != null
                    && Duration.between(now, Instant.parse(issued.expirationTime()))
                                    .getSeconds()
                            >= ttlSeconds / 2;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    boolean asksTheSame(KubeconfigRequest request) {
        KubeconfigRequestSpec spec = request.getSpec();
        return spec != null
                && cluster.equals(spec.cluster)
                && user.equals(spec.user)
                && new TreeSet<>(groups).equals(new TreeSet<>(spec.groups == null ? List.of() : spec.groups))
                && Objects.equals(ttlSeconds, spec.ttlSeconds)
                && spec.renewBeforeSeconds == null;
    }

    /** Where {@code request} stands; conditions of an older generation count as not looked at yet. */
    static Progress progress(KubeconfigRequest request) {
        var status = request.getStatus();
        Optional<Condition> ready = status == null
                ? Optional.empty()
                : Conditions.find(status.conditions, Conditions.READY)
                        .filter(c -> Objects.equals(
                                c.getObservedGeneration(), request.getMetadata().getGeneration()));
        if (ready.isEmpty()) {
            return new Pending("NotObserved", "the operator has not reconciled this request yet");
        }
        Condition condition = ready.get();
        if (Conditions.TRUE.equals(condition.getStatus()) && status.secretName != null) {
            return new Issued(status.secretName, status.expirationTime);
        }
        String reason = condition.getReason() == null ? "" : condition.getReason();
        if (reason.startsWith("Waiting")
                || PASSING_REASONS.contains(reason)
                || !Conditions.FALSE.equals(condition.getStatus())) {
            return new Pending(reason, condition.getMessage());
        }
        return new Refused(reason, condition.getMessage());
    }
}
