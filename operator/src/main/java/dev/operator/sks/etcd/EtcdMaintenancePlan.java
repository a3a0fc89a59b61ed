package dev.operator.sks.etcd;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do about a cluster's etcd db now: recover from a NOSPACE alarm (compact, defragment each member in turn,
 * then disarm), defragment one member whose db has enough free pages to be worth it and whose turn has come, or
 * nothing. Pure: from what etcd answered (members, each member's status, alarms), when each member was last
 * defragmented and the time, one step.
 *
 * <p>A defragmentation blocks the member it runs on (it answers nothing, the API servers' requests to it wait), so it
 * runs on one member at a time, never while another member is down (the blocked member and the down one could cost
 * quorum), never while etcd grows or the cluster upgrades (members restart then), followers before the leader (a
 * blocked leader may cost an election).
 */
public final class EtcdMaintenancePlan {
    /** Condition reason while etcd refuses writes for lack of space. */
    public static final String NO_SPACE = "NoSpace";

    private EtcdMaintenancePlan() {}

    /**
     * When a member's db is worth defragmenting.
     *
     * @param interval         how long after its last defragmentation a member may be defragmented again
     * @param minReclaimBytes  free pages worth giving back, in bytes; below this a defragmentation costs more than it
     *                         gives
     * @param minReclaimRatio  and as a share of the db file
     */
    public record Policy(Duration interval, long minReclaimBytes, double minReclaimRatio) {
        /**
         * Daily, when at least 64 MiB and a quarter of the file are free: etcd reuses free pages for new writes, so a
         * db with few of them gains nothing, and one that shrank after a burst of writes gives its space back within a
         * day. NOSPACE does not wait for this.
         */
        public static final Policy DEFAULT = new Policy(Duration.ofDays(1), 64L * 1024 * 1024, 0.25);

        boolean worthIt(EtcdMemberStatus status) {
            long free = status.reclaimable();
            return free >= minReclaimBytes && free >= status.dbSize() * minReclaimRatio;
        }
    }

    /**
     * One member as the operator found it.
     *
     * @param name   etcd's member name (the pod's); empty while a member has not started
     * @param status its answer to the status call; empty when it did not answer
     * @param problem why it has no status (for messages); empty when it answered
     */
    public record MemberState(String name, Optional<EtcdMemberStatus> status, String problem) {
        public static MemberState answered(String name, EtcdMemberStatus status) {
            return new MemberState(name, Optional.of(status), "");
        }

        public static MemberState down(String name, String problem) {
            return new MemberState(name, Optional.empty(), problem);
        }

        boolean healthy() {
            return status.isPresent() && status.get().errors().isEmpty();
        }

        String label() {
            return name.isEmpty() ? "a member that has not started" : "member " + name;
        }
    }

    /**
     * What the operator found this time.
     *
     * @param expectedMembers      members the StatefulSet runs
     * @param members              every member etcd lists, learners included
     * @param learners             how many of them are learners
     * @param alarms               alarms raised
     * @param growing              etcd is growing member by member ({@link EtcdGrowth})
     * @param upgrading            the control plane rolls to another version
     * @param lastDefragmentations when each member (by name) was last defragmented, as status keeps it
     * @param firstDue             when a member never defragmented becomes due (the cluster's own offset, so a fleet
     *                             does not defragment all at once)
     */
    public record Observed(
            int expectedMembers,
            List<MemberState> members,
            int learners,
            List<EtcdAlarm> alarms,
            boolean growing,
            boolean upgrading,
            Map<String, Instant> lastDefragmentations,
            Instant firstDue) {

        public Observed {
            members = List.copyOf(members);
            alarms = List.copyOf(alarms);
            lastDefragmentations = Map.copyOf(lastDefragmentations);
        }

        public boolean noSpace() {
            return alarms.stream().anyMatch(EtcdAlarm::noSpace);
        }
    }

    /** One step of maintenance. */
    public sealed interface Step {
        /** For people: what is happening. */
        String message();
    }

    /** Nothing is due; {@code nextDue} is the soonest a member may be defragmented (if one ever was). */
    public record Idle(Optional<Instant> nextDue, String message) implements Step {}

    /** Something stands in the way of maintenance now (a member down, growth, an upgrade); look again later. */
    public record Wait(String message, boolean noSpace) implements Step {}

    /** Defragment this member, alone. */
    public record Defragment(String member, long reclaimable, String message) implements Step {}

    /**
     * NOSPACE: compact to {@code revision} (the current one: the API servers' watch caches relist what they miss),
     * then defragment the members in {@code order}, one after the other, then check with {@link #afterRecovery}.
     */
    public record RecoverSpace(long revision, List<String> order, String message) implements Step {
        public RecoverSpace {
            order = List.copyOf(order);
        }
    }

    /** The db has room again: disarm these alarms. */
    public record Disarm(List<EtcdAlarm> alarms, String message) implements Step {
        public Disarm {
            alarms = List.copyOf(alarms);
        }
    }

    /** The step once a NOSPACE alarm has been reported ({@link #next(Observed, Policy, Instant, boolean)}). */
    public static Step next(Observed observed, Policy policy, Instant now) {
        return next(observed, policy, now, true);
    }

    /**
     * @param noSpaceReported whether the last round already reported the NOSPACE alarm: a new alarm is first only
     *                        reported (EtcdReady, an Event), so people see it happened even when the recovery that
     *                        follows a few seconds later succeeds
     */
    public static Step next(Observed observed, Policy policy, Instant now, boolean noSpaceReported) {
        boolean noSpace = observed.noSpace();
        Optional<String> obstacle = obstacle(observed, !noSpace);
        if (obstacle.isPresent()) {
            return new Wait(
                    noSpace
                            ? noSpaceMessage("the operator compacts and defragments it when it can, and waits: "
                                    + obstacle.get())
                            : "defragmentation waits: " + obstacle.get(),
                    noSpace);
        }
        if (noSpace && !noSpaceReported) {
            return new Wait(noSpaceMessage("the operator compacts and defragments it next"), true);
        }
        List<MemberState> order = order(observed.members());
        if (noSpace) {
            long revision = order.stream()
                    .mapToLong(m -> m.status().orElseThrow().revision())
                    .max()
                    .orElse(0);
            return new RecoverSpace(
                    revision,
                    order.stream().map(MemberState::name).toList(),
                    noSpaceMessage("the operator is compacting etcd to revision " + revision
                            + " and defragmenting each member in turn"));
        }
        Optional<Instant> nextDue = Optional.empty();
        for (MemberState member : order) {
            EtcdMemberStatus status = member.status().orElseThrow();
            Instant due = Optional.ofNullable(observed.lastDefragmentations().get(member.name()))
                    .map(last -> last.plus(policy.interval()))
                    .orElse(observed.firstDue());
            if (!now.isBefore(due) && policy.worthIt(status)) {
                return new Defragment(
                        member.name(),
                        status.reclaimable(),
                        "defragmenting etcd member " + member.name() + " (" + mebibytes(status.reclaimable())
                                + " MiB of " + mebibytes(status.dbSize()) + " MiB free)");
            }
            if (now.isBefore(due)) {
                nextDue = nextDue.filter(d -> d.isBefore(due)).or(() -> Optional.of(due));
            }
        }
        return new Idle(nextDue, "no etcd member needs defragmenting");
    }

    /**
     * After a recovery's compaction and defragmentations: disarm when every member's db is below the quota again
     * (with a tenth to spare, or the next writes would raise the alarm at once); otherwise the data itself fills the
     * quota, which only more storage (or less data) can fix.
     */
    public static Step afterRecovery(List<MemberState> members, List<EtcdAlarm> alarms, long quotaBytes) {
        List<EtcdAlarm> noSpace = alarms.stream().filter(EtcdAlarm::noSpace).toList();
        long limit = quotaBytes / 10 * 9;
        for (MemberState member : members) {
            if (member.status().isEmpty()) {
                return new Wait(
                        noSpaceMessage("the operator compacted and defragmented etcd, and disarms the alarm once "
                                + member.label() + " answers again (" + member.problem() + ")"),
                        true);
            }
            EtcdMemberStatus status = member.status().get();
            if (status.dbSize() > limit) {
                return new Wait(
                        noSpaceMessage("after compaction and defragmentation etcd member " + member.name()
                                + " still holds " + mebibytes(status.dbSize()) + " MiB of its "
                                + mebibytes(quotaBytes) + " MiB quota: the cluster's data needs more room; delete "
                                + "objects in the cluster or raise the etcd storage"),
                        true);
            }
        }
        return new Disarm(
                noSpace,
                "etcd has room again after compaction and defragmentation ("
                        + members.stream()
                                .map(m -> mebibytes(m.status().orElseThrow().dbSize()) + " MiB")
                                .reduce((a, b) -> a + ", " + b)
                                .orElse("")
                        + " of " + mebibytes(quotaBytes) + " MiB); disarming the NOSPACE alarm");
    }

    /**
     * When a cluster never defragmented becomes due: its creation plus an offset taken from its UID within the
     * interval, so clusters made (or found by a new operator) together spread their first defragmentations.
     */
    public static Instant firstDue(Instant created, String uid, Policy policy) {
        long seconds = Math.max(1, policy.interval().toSeconds());
        long offset = Math.floorMod(uid == null ? 0 : uid.hashCode(), seconds);
        return created.plusSeconds(offset);
    }

    /** The message while NOSPACE holds: what it means, then what the operator does (or waits for). */
    static String noSpaceMessage(String doing) {
        return "etcd's db reached its quota (NOSPACE alarm): the cluster refuses writes; " + doing + ". If this "
                + "persists, delete objects in the cluster or raise the etcd storage";
    }

    /** Why nothing may be defragmented now, if anything. */
    private static Optional<String> obstacle(Observed observed, boolean periodic) {
        if (observed.growing()) {
            return Optional.of("etcd is growing");
        }
        if (periodic && observed.upgrading()) {
            return Optional.of("the control plane is upgrading");
        }
        if (observed.learners() > 0) {
            return Optional.of("a learner is catching up");
        }
        for (MemberState member : observed.members()) {
            if (member.status().isEmpty()) {
                return Optional.of(member.label() + " is down (" + member.problem() + ")");
            }
            if (!member.healthy() && !(observed.noSpace() && onlyAlarms(member))) {
                return Optional.of(member.label() + " reports "
                        + String.join("; ", member.status().get().errors()));
            }
        }
        if (observed.members().size() < observed.expectedMembers()) {
            return Optional.of(
                    "etcd lists " + observed.members().size() + " of " + observed.expectedMembers() + " members");
        }
        return Optional.empty();
    }

    /** A member that reports only the NOSPACE alarm is as healthy as the alarm lets it be. */
    private static boolean onlyAlarms(MemberState member) {
        return member.status().get().errors().stream().allMatch(e -> e.contains("NOSPACE"));
    }

    /** Followers by name, the leader last. */
    private static List<MemberState> order(List<MemberState> members) {
        List<MemberState> order = new ArrayList<>(members);
        order.sort(
                Comparator.comparing((MemberState m) -> m.status().orElseThrow().isLeader())
                        .thenComparing(MemberState::name));
        return order;
    }

    private static long mebibytes(long bytes) {
        return Math.round(bytes / (1024.0 * 1024.0));
    }
}
