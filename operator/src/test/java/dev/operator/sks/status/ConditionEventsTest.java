package dev.operator.sks.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.events.EventType;
import dev.operator.sks.status.ConditionEvents.Transition;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionEventsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void aNewConditionOnItsWayAndAProgressMessageAloneTellNothingItsOutcomeIsTold() {
        List<Condition> before = new ArrayList<>();
        List<Condition> after = new ArrayList<>();
        Conditions.set(after, Conditions.READY, false, "Provisioning", "1 of 3 instances running", 1L, CLOCK);
        assertThat(ConditionEvents.between(before, after)).isEmpty();

        List<Condition> later = copy(after);
        Conditions.set(later, Conditions.READY, false, "Provisioning", "2 of 3 instances running", 1L, CLOCK);
        assertThat(ConditionEvents.between(after, later)).isEmpty();

        List<Condition> ready = copy(later);
        Conditions.set(ready, Conditions.READY, true, "Running", "3 of 3 instances running", 1L, CLOCK);
        assertThat(ConditionEvents.between(later, ready))
                .containsExactly(
                        new Transition(EventType.Normal, "Running", "Ready is True: 3 of 3 instances running"));
    }

    @Test
    void aNewConditionThatIsGoodOrBadIsTold() {
        List<Condition> after = new ArrayList<>();
        Conditions.set(after, Conditions.ACCEPTED, true, "Valid", "the spec is valid", 1L, CLOCK);
        Conditions.set(after, Conditions.READY, false, "NameConflict", "Secret x exists", 1L, CLOCK);
        Conditions.set(after, Conditions.ETCD_READY, false, "Creating", "0 of 1 members", 1L, CLOCK);
        Conditions.set(after, Conditions.TENANT_REACHABLE, Conditions.UNKNOWN, "Probing", "not asked yet", 1L, CLOCK);

        assertThat(ConditionEvents.between(new ArrayList<>(), after))
                .containsExactly(
                        new Transition(EventType.Normal, "Valid", "Accepted is True: the spec is valid"),
                        new Transition(EventType.Warning, "NameConflict", "Ready is False: Secret x exists"));
    }

    @Test
    void aRefusalIsAWarningAndRecoveryIsNormal() {
        List<Condition> accepted = new ArrayList<>();
        Conditions.set(accepted, Conditions.ACCEPTED, true, "Valid", "the spec is valid", 1L, CLOCK);
        List<Condition> refused = copy(accepted);
        Conditions.set(refused, Conditions.ACCEPTED, false, "ZoneImmutable", "zone cannot change", 2L, CLOCK);

        assertThat(ConditionEvents.between(accepted, refused))
                .singleElement()
                .isEqualTo(new Transition(EventType.Warning, "ZoneImmutable", "Accepted is False: zone cannot change"));
        assertThat(ConditionEvents.between(refused, accepted))
                .singleElement()
                .extracting(Transition::type)
                .isEqualTo(EventType.Normal);
    }

    @Test
    void aReasonChangeWithTheSameStatusIsATransitionToo() {
        List<Condition> waiting = new ArrayList<>();
        Conditions.set(waiting, Conditions.READY, false, "WaitingForCluster", "waiting", 1L, CLOCK);
        List<Condition> conflicting = copy(waiting);
        Conditions.set(conflicting, Conditions.READY, false, "NameConflict", "Secret x exists", 1L, CLOCK);

        assertThat(ConditionEvents.between(waiting, conflicting))
                .singleElement()
                .extracting(Transition::type)
                .isEqualTo(EventType.Warning);
    }

    @Test
    void forExpiredTrueIsTheBadState() {
        List<Condition> valid = new ArrayList<>();
        Conditions.set(valid, Conditions.EXPIRED, false, "Valid", "valid until then", 1L, CLOCK);
        List<Condition> expired = copy(valid);
        Conditions.set(expired, Conditions.EXPIRED, true, "Expired", "expired at then", 1L, CLOCK);

        assertThat(ConditionEvents.between(new ArrayList<>(), valid))
                .singleElement()
                .extracting(Transition::type)
                .isEqualTo(EventType.Normal);
        assertThat(ConditionEvents.between(valid, expired))
                .singleElement()
                .extracting(Transition::type)
                .isEqualTo(EventType.Warning);
    }

    private static List<Condition> copy(List<Condition> conditions) {
        return new ArrayList<>(conditions);
    }
}
