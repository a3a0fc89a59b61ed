package dev.operator.sks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.lifecycle.HealthCheck.Healthy;
import dev.operator.sks.lifecycle.HealthCheck.Repair;
import dev.operator.sks.lifecycle.HealthCheck.TooManyUnhealthy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant NOW = T0.plus(Duration.ofHours(1));
    static final Duration TEN_MIN = Duration.ofMinutes(10);

    static Machine ready(String name) {
        return new Machine(name, true, true, T0, Optional.empty());
    }

    static Machine notReadyFor(String name, Duration d) {
        return new Machine(name, true, false, T0, Optional.of(NOW.minus(d)));
    }

    static HealthCheck.Verdict decide(List<Machine> machines, Set<String> repairing, int max) {
        return HealthCheck.decide(new HealthCheck.Inputs(true, machines, repairing, Set.of(), true, TEN_MIN, max, NOW));
    }

    @Test
    void aMachineNotReadyLongerThanUnhealthyAfterIsRepaired() {
        assertThat(decide(List.of(ready("a"), notReadyFor("b", Duration.ofMinutes(11)), ready("c")), Set.of(), 1))
                .isEqualTo(new Repair(List.of("b")));
    }

    @Test
    void aMachineNotReadyForLessIsLeftAlone() {
        assertThat(decide(List.of(ready("a"), notReadyFor("b", Duration.ofMinutes(9))), Set.of(), 1))
                .isInstanceOf(Healthy.class);
    }

    @Test
    void aMachineThatNeverRegisteredCountsFromWhenItWasFirstSeen() {
        Machine never = new Machine("b", true, false, NOW.minus(Duration.ofMinutes(12)), Optional.empty());
        assertThat(decide(List.of(ready("a"), never), Set.of(), 1)).isEqualTo(new Repair(List.of("b")));
    }

    @Test
    void tooManyUnhealthyRepairsNothing() {
        List<Machine> half = List.of(
                ready("a"),
                ready("b"),
                notReadyFor("c", Duration.ofMinutes(20)),
                notReadyFor("d", Duration.ofMinutes(20)));
        assertThat(decide(half, Set.of(), HealthCheck.maxUnhealthy("40%", 4).orElseThrow()))
                .isEqualTo(new TooManyUnhealthy(List.of("c", "d"), 1));
    }

    @Test
    void machinesBeingRepairedCountAgainstTheLimit() {
        List<Machine> machines = List.of(ready("a"), ready("b"), notReadyFor("c", Duration.ofMinutes(20)));
        assertThat(decide(machines, Set.of("d"), 1)).isEqualTo(new TooManyUnhealthy(List.of("c", "d"), 1));
        assertThat(decide(machines, Set.of("d"), 2)).isEqualTo(new Repair(List.of("c")));
    }

    @Test
    void offUnknownOrExemptMachinesAreNotRepaired() {
        List<Machine> sick = List.of(notReadyFor("a", Duration.ofHours(1)));
        assertThat(HealthCheck.decide(new HealthCheck.Inputs(false, sick, Set.of(), Set.of(), true, TEN_MIN, 1, NOW)))
                .isInstanceOf(Healthy.class);
        assertThat(HealthCheck.decide(new HealthCheck.Inputs(true, sick, Set.of(), Set.of(), false, TEN_MIN, 1, NOW)))
                .isInstanceOf(Healthy.class);
        assertThat(HealthCheck.decide(new HealthCheck.Inputs(true, sick, Set.of(), Set.of("a"), true, TEN_MIN, 1, NOW)))
                .isInstanceOf(Healthy.class);
    }

    @Test
    void maxUnhealthyFromCountsAndPercentages() {
        assertThat(HealthCheck.maxUnhealthy("40%", 10)).contains(4);
        assertThat(HealthCheck.maxUnhealthy("40%", 4)).contains(1);
        assertThat(HealthCheck.maxUnhealthy("40%", 1))
                .as("a one-machine pool can be repaired")
                .contains(1);
        assertThat(HealthCheck.maxUnhealthy("3", 10)).contains(3);
        assertThat(HealthCheck.maxUnhealthy("0", 10)).contains(0);
        assertThat(HealthCheck.maxUnhealthy("150%", 10)).isEmpty();
        assertThat(HealthCheck.maxUnhealthy("lots", 10)).isEmpty();
        assertThat(HealthCheck.maxUnhealthy("-1", 10)).isEmpty();
    }
}
