package dev.operator.sks.etcd;

import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.EtcdLayout.InitialClusterState;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Grows a running etcd one member at a time, following etcd's runtime-reconfiguration rules: add the next member as
 * a learner (it does not count towards quorum, so adding it before it runs cannot cost quorum), then let the
 * StatefulSet start its pod (joining with state {@code existing} and the membership at that point), then promote it
 * once started and caught up, then the next. Only one learner at a time (etcd allows no more).
 *
 * <p>Pure: from the desired size, what the StatefulSet was rendered with and etcd's member list, the one step to take
 * now and the layout to render meanwhile. Idempotent: a member whose peer URL etcd lists is never added again, so a
 * reconcile that repeats after a lost update does no harm.
 */
public final class EtcdGrowth {
    /** How soon to look again while growing: a learner catching up sends no event. */
    public static final Duration POLL = Duration.ofSeconds(3);

    private static final Duration MIN_RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);

    private EtcdGrowth() {}

    /** One step of the growth; {@link #layout()} is what the StatefulSet should say while (or after) taking it. */
    public sealed interface Step {
        EtcdLayout layout();

        /** For people: what is happening, as a condition message. */
        String message();

        /** For machines: the condition reason while this step is the current one. */
        default String reason() {
            return ADDING_MEMBER;
        }
    }

    /** Condition reason while growth makes progress. */
    public static final String ADDING_MEMBER = "AddingMember";
    /** Condition reason when growth found a membership it will not change alone. */
    public static final String MEMBERSHIP_NEEDS_ATTENTION = "MembershipNeedsAttention";

    /** Every member of the StatefulSet votes and it has the size wanted: nothing to do. */
    public record Done(EtcdLayout layout) implements Step {
        @Override
        public String message() {
            return "etcd has " + layout.votingMembers() + " voting members";
        }
    }

    /** {@code member add --learner} for the member of this ordinal, before its pod exists. */
    public record AddLearner(int ordinal, String peerUrl, EtcdLayout layout, String message) implements Step {}

    /** The learner is listed: let its pod start, joining the existing cluster. */
    public record RaiseReplicas(EtcdLayout layout, String message) implements Step {}

    /** The learner's process has started: promote it (etcd refuses until it has caught up; then wait and retry). */
    public record Promote(int ordinal, String memberId, EtcdLayout layout, String message) implements Step {}

    /**
     * Nothing to do but wait: for a learner to start, or (when {@code needsAttention}) for someone to resolve a
     * membership the operator will not change alone.
     */
    public record Wait(EtcdLayout layout, String message, boolean needsAttention) implements Step {
        @Override
        public String reason() {
            return needsAttention ? MEMBERSHIP_NEEDS_ATTENTION : ADDING_MEMBER;
        }
    }

    /**
     * Whether etcd's member list is needed: only while a StatefulSet exists with fewer members than wanted or with a
     * learner among them. A new cluster, and one that has finished growing, never ask etcd.
     */
    public static boolean inProgress(int desiredMembers, Optional<StatefulSet> observed) {
        return observed.map(EtcdLayout::of)
                .map(layout -> layout.replicas() < desiredMembers || !layout.allVoting())
                .orElse(false);
    }

    /**
     * The layout to render when growth is not in progress, or etcd cannot be asked: a new cluster starts at its size,
     * an existing one keeps what it was rendered with (so nothing rolls while etcd cannot be reached).
     */
    public static EtcdLayout layoutWithoutMembers(int desiredMembers, Optional<StatefulSet> observed) {
        return observed.map(EtcdLayout::of).orElseGet(() -> EtcdLayout.fresh(desiredMembers));
    }

    /**
     * @param desiredMembers   members the level wants
     * @param observed         what the StatefulSet was rendered with ({@link EtcdLayout#of})
     * @param members          etcd's member list
     * @param peerUrlOfOrdinal the peer URL each member advertises, by ordinal; how members are recognised
     */
    public static Step next(
            int desiredMembers, EtcdLayout observed, List<EtcdMember> members, IntFunction<String> peerUrlOfOrdinal) {
        int replicas = observed.replicas();
        int known = Math.max(desiredMembers, replicas);
        List<Optional<EtcdMember>> byOrdinal = new ArrayList<>();
        for (int ordinal = 0; ordinal < known; ordinal++) {
            String peerUrl = peerUrlOfOrdinal.apply(ordinal);
            byOrdinal.add(
                    members.stream().filter(m -> m.peerUrls().contains(peerUrl)).findFirst());
        }
        List<EtcdMember> strangers = members.stream()
                .filter(m -> byOrdinal.stream()
                        .noneMatch(b -> b.isPresent() && b.get().equals(m)))
                .toList();
        if (!strangers.isEmpty()) {
            return new Wait(
                    observed,
                    "etcd lists a member this operator did not add (peer URLs "
                            + strangers.get(0).peerUrls()
                            + "); remove it with etcdctl member remove before etcd can grow",
                    true);
        }
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            if (byOrdinal.get(ordinal).isEmpty()) {
                return new Wait(
                        observed,
                        "etcd member " + (ordinal + 1) + " runs in the StatefulSet but etcd does not list "
                                + "it; growth stops until it is re-added by hand",
                        true);
            }
        }
        List<Integer> learners = new ArrayList<>();
        for (int ordinal = 0; ordinal < known; ordinal++) {
            if (byOrdinal.get(ordinal).map(EtcdMember::learner).orElse(false)) {
                learners.add(ordinal);
            }
        }
        int voting = (int) byOrdinal.subList(0, replicas).stream()
                .filter(m -> m.isPresent() && !m.get().learner())
                .count();
        if (voting == 0) {
            return new Wait(observed, "etcd lists no voting member among the StatefulSet's; growth waits", true);
        }
        EtcdLayout now = new EtcdLayout(replicas, voting, observed.state());
        if (learners.size() > 1) {
            return new Wait(
                    now, "etcd lists " + learners.size() + " learners; growth waits until at most one is left", true);
        }
        if (learners.size() == 1) {
            int ordinal = learners.get(0);
            EtcdMember learner = byOrdinal.get(ordinal).orElseThrow();
            String adding = "adding etcd member " + (ordinal + 1) + " of " + desiredMembers;
            if (ordinal == replicas) {
                // The membership now includes the learner: exactly what its --initial-cluster must list.
                return new RaiseReplicas(
                        new EtcdLayout(replicas + 1, voting, InitialClusterState.EXISTING),
                        adding + " (learner, starting its pod)");
            }
            if (ordinal > replicas) {
                return new Wait(
                        now,
                        "etcd lists member " + (ordinal + 1) + " as learner before member " + (replicas + 1)
                                + " exists; growth waits until it is removed",
                        true);
            }
            if (!learner.started()) {
                return new Wait(now, adding + " (learner, waiting for it to start)", false);
            }
            return new Promote(ordinal, learner.id(), now, adding + " (learner, waiting to catch up)");
        }
        if (voting < replicas) {
            return new Wait(
                    now, "etcd lists " + voting + " voting members for " + replicas + " pods; growth waits", true);
        }
        if (replicas < desiredMembers) {
            return new AddLearner(
                    replicas,
                    peerUrlOfOrdinal.apply(replicas),
                    now,
                    "adding etcd member " + (replicas + 1) + " of " + desiredMembers + " (learner)");
        }
        return new Done(now);
    }

    /**
     * How long to wait before asking an unreachable etcd again after {@code failures} failed attempts in a row:
     * doubling from 2 s up to a minute, so a short outage costs little and a long one few calls.
     */
    public static Duration retryAfter(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 5));
        Duration wait = MIN_RETRY.multipliedBy(1L << doublings);
        return wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
    }
}
