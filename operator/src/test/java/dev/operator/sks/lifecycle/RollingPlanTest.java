package dev.operator.sks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.UpgradeStrategy;
import dev.operator.sks.lifecycle.RollingPlan.Drain;
import dev.operator.sks.lifecycle.RollingPlan.Grow;
import dev.operator.sks.lifecycle.RollingPlan.Remove;
import dev.operator.sks.lifecycle.RollingPlan.Settled;
import dev.operator.sks.lifecycle.RollingPlan.Step;
import dev.operator.sks.lifecycle.RollingPlan.Stuck;
import dev.operator.sks.lifecycle.RollingPlan.Wait;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RollingPlanTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant NOW = T0.plus(Duration.ofHours(1));

    static Machine old(String name, int minute) {
        return new Machine(name, false, true, T0.plus(Duration.ofMinutes(minute)), Optional.empty());
    }

    static Machine fresh(String name, int minute) {
        return new Machine(name, true, true, T0.plus(Duration.ofMinutes(minute)), Optional.empty());
    }

    static Machine notReady(Machine m, Instant since) {
        return new Machine(m.name(), m.current(), false, m.createdAt(), Optional.of(since));
    }

    static Step next(int size, int surge, int unavailable, List<Machine> machines, Map<String, Boolean> draining) {
        return RollingPlan.next(new RollingPlan.Inputs(
                size,
                UpgradeStrategy.Replace,
                surge,
                unavailable,
                machines,
                draining,
                true,
                NOW,
                RollingPlan.STUCK_AFTER));
    }

    @Test
    void aSettledPoolStaysSettled() {
        assertThat(next(3, 1, 0, List.of(fresh("a", 1), fresh("b", 2), fresh("c", 3)), Map.of()))
                .isEqualTo(new Settled());
    }

    @Test
    void aReplacementAddsOneMachineFirstWithSurgeOne() {
        assertThat(next(3, 1, 0, List.of(old("a", 1), old("b", 2), old("c", 3)), Map.of()))
                .isEqualTo(new Grow(1));
    }

    @Test
    void noOldMachineIsDrainedUntilTheNewOneIsReady() {
        Machine pending = notReady(fresh("d", 50), NOW.minusSeconds(60));
        assertThat(next(3, 1, 0, List.of(old("a", 1), old("b", 2), old("c", 3), pending), Map.of()))
                .isEqualTo(new Wait("waiting for the Nodes of d to be Ready"));
    }

    @Test
    void onceTheNewMachineIsReadyTheNewestOldOneIsDrained() {
        assertThat(next(3, 1, 0, List.of(old("a", 1), old("b", 2), old("c", 3), fresh("d", 50)), Map.of()))
                .isEqualTo(new Drain(List.of("c"), DrainReason.Replace));
    }

    @Test
    void whileAnOldMachineDrainsNothingElseHappensWithSurgeOne() {
        List<Machine> machines = List.of(old("a", 1), old("b", 2), old("c", 3), fresh("d", 50));
        assertThat(next(3, 1, 0, machines, Map.of("c", false))).isEqualTo(new Wait("draining c"));
    }

    @Test
    void aDrainedMachineIsRemoved() {
        List<Machine> machines = List.of(old("a", 1), old("b", 2), old("c", 3), fresh("d", 50));
        assertThat(next(3, 1, 0, machines, Map.of("c", true))).isEqualTo(new Remove(List.of("c")));
    }

    @Test
    void maxUnavailableWithoutSurgeDrainsFirstThenRegrows() {
        List<Machine> three = List.of(old("a", 1), old("b", 2), old("c", 3));
        assertThat(next(3, 0, 1, three, Map.of())).isEqualTo(new Drain(List.of("c"), DrainReason.Replace));
        assertThat(next(3, 0, 1, three, Map.of("c", false))).isEqualTo(new Wait("draining c"));
        assertThat(next(3, 0, 1, List.of(old("a", 1), old("b", 2)), Map.of())).isEqualTo(new Grow(1));
    }

    @Test
    void aLargerSurgeAddsSeveralAtOnce() {
        assertThat(next(3, 3, 0, List.of(old("a", 1), old("b", 2), old("c", 3)), Map.of()))
                .isEqualTo(new Grow(3));
        assertThat(next(5, 2, 0, List.of(old("a", 1), old("b", 2), old("c", 3), old("d", 4), old("e", 5)), Map.of()))
                .isEqualTo(new Grow(2));
    }

    @Test
    void oldMachinesWithoutAReadyNodeGoFirstAndDoNotCountAgainstAvailability() {
        Machine sick = notReady(old("a", 1), NOW.minusSeconds(30));
        List<Machine> machines = List.of(sick, old("b", 2), old("c", 3), notReady(fresh("d", 50), NOW));
        assertThat(next(3, 1, 0, machines, Map.of())).isEqualTo(new Drain(List.of("a"), DrainReason.Replace));
    }

    @Test
    void aNewMachineNotReadyForFifteenMinutesStopsTheReplacement() {
        Machine late = notReady(fresh("d", 30), NOW.minus(Duration.ofMinutes(16)));
        Step step = next(3, 1, 0, List.of(old("a", 1), old("b", 2), old("c", 3), late), Map.of());
        assertThat(step).isInstanceOf(Stuck.class);
        assertThat(((Stuck) step).machine()).isEqualTo("d");
        assertThat(((Stuck) step).why()).contains("d", "16 min", "15 min", "replacement stops");
    }

    @Test
    void withoutOldMachinesANotReadyNewMachineIsNotAStuckReplacement() {
        Machine late = notReady(fresh("d", 30), NOW.minus(Duration.ofMinutes(16)));
        assertThat(next(2, 1, 0, List.of(fresh("a", 1), late), Map.of())).isEqualTo(new Settled());
    }

    @Test
    void onDeleteLeavesOldMachinesRunning() {
        Step step = RollingPlan.next(new RollingPlan.Inputs(
                3,
                UpgradeStrategy.OnDelete,
                1,
                0,
                List.of(old("a", 1), old("b", 2), fresh("c", 3)),
                Map.of(),
                true,
                NOW,
                RollingPlan.STUCK_AFTER));
        assertThat(step).isEqualTo(new Settled());
    }

    @Test
    void onDeleteRegrowsAnEvictedMachine() {
        Step step = RollingPlan.next(new RollingPlan.Inputs(
                3,
                UpgradeStrategy.OnDelete,
                1,
                0,
                List.of(old("a", 1), old("b", 2)),
                Map.of(),
                true,
                NOW,
                RollingPlan.STUCK_AFTER));
        assertThat(step).isEqualTo(new Grow(1));
    }

    @Test
    void scaleUpIsNotBoundBySurge() {
        assertThat(next(5, 1, 0, List.of(fresh("a", 1), fresh("b", 2)), Map.of()))
                .isEqualTo(new Grow(3));
    }

    @Test
    void scaleDownDrainsTheChosenMachines() {
        List<Machine> machines = List.of(fresh("a", 1), fresh("b", 2), notReady(fresh("c", 3), NOW), fresh("d", 4));
        assertThat(next(2, 1, 0, machines, Map.of())).isEqualTo(new Drain(List.of("c", "d"), DrainReason.ScaleDown));
    }

    @Test
    void aRepairDrainIsReplacedAtOnce() {
        List<Machine> machines = List.of(fresh("a", 1), fresh("b", 2), fresh("c", 3));
        assertThat(next(3, 1, 0, machines, Map.of("b", false))).isEqualTo(new Grow(1));
    }

    @Test
    void unknownNodesReplaceNothingButAScaleDownGoesOn() {
        List<Machine> old = List.of(old("a", 1), old("b", 2), old("c", 3), notReady(fresh("d", 4), NOW));
        Step step = RollingPlan.next(new RollingPlan.Inputs(
                3, UpgradeStrategy.Replace, 1, 0, old, Map.of(), false, NOW, RollingPlan.STUCK_AFTER));
        assertThat(step).isInstanceOf(Wait.class);
        assertThat(((Wait) step).why()).contains("cannot be read");

        List<Machine> current = List.of(fresh("a", 1), fresh("b", 2), fresh("c", 3));
        assertThat(RollingPlan.next(new RollingPlan.Inputs(
                        2, UpgradeStrategy.Replace, 1, 0, current, Map.of(), false, NOW, RollingPlan.STUCK_AFTER)))
                .isEqualTo(new Drain(List.of("c"), DrainReason.ScaleDown));
    }

    @Test
    void aTenantWhoseNodesAllLookNotReadyLosesAtMostTheSurgeAtOnce() {
        List<Machine> machines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            machines.add(notReady(old("m" + i, i), NOW.minusSeconds(10)));
        }
        machines.add(notReady(fresh("n", 40), NOW.minusSeconds(10)));
        assertThat(next(5, 1, 0, machines, Map.of())).isEqualTo(new Drain(List.of("m4"), DrainReason.Replace));
    }

    /**
     * Carries every step out on a model pool, new machines turning Ready one step after they are added and drains
     * finishing one step after they start, and checks after each step that Ready machines never drop below
     * size - maxUnavailable and machines never exceed size + maxSurge; the pool ends with size current machines.
     */
    @ParameterizedTest
    @CsvSource({"3,1,0", "3,0,1", "3,2,0", "3,1,1", "5,2,1", "1,1,0", "4,0,2", "3,3,0"})
    void aWholeReplacementKeepsItsBounds(int size, int surge, int unavailable) {
        Map<String, Machine> pool = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            pool.put("old" + i, old("old" + i, i));
        }
        Map<String, Boolean> draining = new HashMap<>();
        int created = 0;
        boolean settled = false;
        for (int round = 0; round < 100 && !settled; round++) {
            // The world moves: machines added last round turn Ready, drains started last round finish.
            pool.replaceAll((name, m) ->
                    m.ready() ? m : new Machine(m.name(), m.current(), true, m.createdAt(), Optional.empty()));
            draining.replaceAll((name, done) -> true);
            Step step = next(size, surge, unavailable, List.copyOf(pool.values()), draining);
            if (step instanceof Grow grow) {
                for (int i = 0; i < grow.count(); i++) {
                    String name = "new" + created++;
                    pool.put(name, notReady(fresh(name, 100 + created), NOW));
                }
            } else if (step instanceof Drain drain) {
                drain.machines().forEach(name -> draining.put(name, false));
            } else if (step instanceof Remove remove) {
                remove.machines().forEach(name -> {
                    pool.remove(name);
                    draining.remove(name);
                });
            } else if (step instanceof Settled) {
                settled = true;
            } else if (step instanceof Stuck stuck) {
                throw new AssertionError("stuck: " + stuck.why());
            }
            assertThat(pool.size()).as("machines after %s", step).isLessThanOrEqualTo(size + surge);
            assertThat(pool.values().stream().filter(Machine::ready).count())
                    .as("Ready machines after %s", step)
                    .isGreaterThanOrEqualTo(size - unavailable);
        }
        assertThat(settled).isTrue();
        assertThat(pool.values()).hasSize(size).allMatch(Machine::current);
    }
}
