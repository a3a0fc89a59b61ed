package dev.operator.sks.status;

import dev.operator.sks.events.EventType;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which Events a status change tells: one per condition whose status or reason moved (a message that only counts
 * progress, "2 of 3 instances running", tells none). A condition that first appears on its way ("Creating",
 * "WaitingForCluster") tells nothing either: every new object is on its way, and its creation already says so. Told,
 * they were two in five of the Events a thousand new clusters wrote (5.1 a cluster, now 3). A first appearance that
 * is good (the spec is valid) or bad (a Warning) is told. Pure, so the story {@code kubectl describe} shows is tested
 * without a server.
 */
public final class ConditionEvents {
    /** Conditions where True is the bad state. */
    private static final Set<String> TRUE_IS_BAD = Set.of(Conditions.EXPIRED);

    /**
     * Reasons of a condition that is not (yet) in its good state but where nothing is wrong: things are on their way.
     * Such transitions are Normal events; any other bad state is a Warning.
     */
    private static final Set<String> PROGRESS = Set.of(
            "Creating",
            "Provisioning",
            "RollingOut",
            "Converging",
            "Registering",
            "Reading",
            "Probing",
            "Upgrading",
            "AddingMember",
            "Scaling",
            "NotIssued",
            "Deleting",
            "Replacing",
            "Draining");

    /** One Event to record. */
    public record Transition(EventType type, String reason, String message) {}

    private ConditionEvents() {}

    public static List<Transition> between(List<Condition> before, List<Condition> after) {
        List<Transition> transitions = new ArrayList<>();
        if (after == null) {
            return transitions;
        }
        for (Condition now : after) {
            Optional<Condition> was = Conditions.find(before, now.getType());
            if (was.isEmpty() && onItsWay(now)) {
                continue;
            }
            if (was.isPresent()
                    && Objects.equals(was.get().getStatus(), now.getStatus())
                    && Objects.equals(was.get().getReason(), now.getReason())) {
                continue;
            }
            transitions.add(new Transition(
                    type(now),
                    now.getReason() == null ? now.getType() : now.getReason(),
                    now.getType() + " is " + now.getStatus() + ": " + now.getMessage()));
        }
        return transitions;
    }

    static EventType type(Condition condition) {
        if (good(condition) || Conditions.UNKNOWN.equals(condition.getStatus())) {
            return EventType.Normal;
        }
        String reason = condition.getReason() == null ? "" : condition.getReason();
        return PROGRESS.contains(reason) || reason.startsWith("Waiting") ? EventType.Normal : EventType.Warning;
    }

    /** Not (yet) in its good state, with nothing wrong: a Normal event that is not good news. */
    private static boolean onItsWay(Condition condition) {
        return !good(condition) && type(condition) == EventType.Normal;
    }

    private static boolean good(Condition condition) {
        return TRUE_IS_BAD.contains(condition.getType())
                ? Conditions.FALSE.equals(condition.getStatus())
                : Conditions.TRUE.equals(condition.getStatus());
    }
}
