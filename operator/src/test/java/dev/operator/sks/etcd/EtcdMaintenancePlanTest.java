package dev.operator.sks.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.etcd.EtcdMaintenancePlan.Defragment;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Disarm;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Idle;
import dev.operator.sks.etcd.EtcdMaintenancePlan.MemberState;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Observed;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Policy;
import dev.operator.sks.etcd.EtcdMaintenancePlan.RecoverSpace;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Step;
import dev.operator.sks.etcd.EtcdMaintenancePlan.Wait;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdMaintenancePlanTest {
    static final long MIB = 1024 * 1024;
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Instant LONG_AGO = NOW.minus(Duration.ofDays(30));
    static final Policy POLICY = Policy.DEFAULT;
    static final EtcdAlarm NOSPACE = new EtcdAlarm("2", EtcdAlarm.NOSPACE);

    /** Three members, {@code etcd-1} the leader; each with 1 GiB allocated and {@code inUseMib} in use. */
    static List<MemberState> three(long inUseMib) {
        return List.of(
                member("etcd-0", "1", inUseMib), member("etcd-1", "2", inUseMib), member("etcd-2", "3", inUseMib));
    }

    static MemberState member(String name, String id, long inUseMib) {
        return MemberState.answered(name, new EtcdMemberStatus(id, "2", 1000, 1024 * MIB, inUseMib * MIB, List.of()));
    }

    static Observed observed(List<MemberState> members, Map<String, Instant> last) {
        return new Observed(3, members, 0, List.of(), false, false, last, LONG_AGO);
    }

    @Test
    void aFragmentedMemberWhoseTurnCameIsDefragmentedFollowersFirstOneAtATime() {
        Step step = EtcdMaintenancePlan.next(observed(three(100), Map.of()), POLICY, NOW);

        assertThat(step).isInstanceOfSatisfying(Defragment.class, d -> {
            assertThat(d.member()).isEqualTo("etcd-0");
            assertThat(d.reclaimable()).isEqualTo(924 * MIB);
            assertThat(d.message()).isEqualTo("defragmenting etcd member etcd-0 (924 MiB of 1024 MiB free)");
        });
        // etcd-0 done: the other follower next, the leader (etcd-1) last.
        assertThat(EtcdMaintenancePlan.next(observed(three(100), Map.of("etcd-0", NOW)), POLICY, NOW))
                .isInstanceOfSatisfying(
                        Defragment.class, d -> assertThat(d.member()).isEqualTo("etcd-2"));
        assertThat(EtcdMaintenancePlan.next(observed(three(100), Map.of("etcd-0", NOW, "etcd-2", NOW)), POLICY, NOW))
                .isInstanceOfSatisfying(
                        Defragment.class, d -> assertThat(d.member()).isEqualTo("etcd-1"));
    }

    @Test
    void aMemberDefragmentedWithinTheIntervalIsNotDueAndSaysWhenItWillBe() {
        Instant recently = NOW.minus(Duration.ofHours(3));
        Step step = EtcdMaintenancePlan.next(
                observed(three(100), Map.of("etcd-0", recently, "etcd-1", recently, "etcd-2", NOW)), POLICY, NOW);

        assertThat(step)
                .isInstanceOfSatisfying(
                        Idle.class, idle -> assertThat(idle.nextDue()).contains(recently.plus(Duration.ofDays(1))));
        // A day later they are due again.
        assertThat(EtcdMaintenancePlan.next(
                        observed(three(100), Map.of("etcd-0", recently, "etcd-1", recently, "etcd-2", recently)),
                        POLICY,
                        recently.plus(Duration.ofDays(1))))
                .isInstanceOf(Defragment.class);
    }

    @Test
    void aDbWithFewFreePagesIsNotWorthDefragmenting() {
        // 1 GiB allocated, 900 MiB in use: 124 MiB free is less than a quarter.
        assertThat(EtcdMaintenancePlan.next(observed(three(900), Map.of()), POLICY, NOW))
                .isInstanceOf(Idle.class);
        // A small db: 40 MiB allocated, 4 MiB in use: 36 MiB free is under 64 MiB.
        MemberState small =
                MemberState.answered("etcd-0", new EtcdMemberStatus("1", "1", 10, 40 * MIB, 4 * MIB, List.of()));
        assertThat(EtcdMaintenancePlan.next(
                        new Observed(1, List.of(small), 0, List.of(), false, false, Map.of(), LONG_AGO), POLICY, NOW))
                .isInstanceOf(Idle.class);
    }

    @Test
    void aMemberDownHoldsEveryDefragmentation() {
        List<MemberState> members = List.of(
                member("etcd-0", "1", 100),
                member("etcd-1", "2", 100),
                MemberState.down("etcd-2", "cannot reach etcd at https://etcd-2:2379: ConnectException"));

        assertThat(EtcdMaintenancePlan.next(observed(members, Map.of()), POLICY, NOW))
                .isInstanceOfSatisfying(Wait.class, wait -> {
                    assertThat(wait.noSpace()).isFalse();
                    assertThat(wait.message())
                            .isEqualTo("defragmentation waits: member etcd-2 is down (cannot reach etcd at "
                                    + "https://etcd-2:2379: ConnectException)");
                });
    }

    @Test
    void aMissingMemberAMemberWithErrorsOrALearnerHoldItToo() {
        assertThat(EtcdMaintenancePlan.next(observed(three(100).subList(0, 2), Map.of()), POLICY, NOW))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.message()).endsWith("etcd lists 2 of 3 members"));
        MemberState corrupt = MemberState.answered(
                "etcd-2", new EtcdMemberStatus("3", "2", 1000, 1024 * MIB, 100 * MIB, List.of("alarm:CORRUPT")));
        assertThat(EtcdMaintenancePlan.next(
                        observed(List.of(member("etcd-0", "1", 100), member("etcd-1", "2", 100), corrupt), Map.of()),
                        POLICY,
                        NOW))
                .isInstanceOfSatisfying(
                        Wait.class, w -> assertThat(w.message()).endsWith("member etcd-2 reports alarm:CORRUPT"));
        assertThat(EtcdMaintenancePlan.next(
                        new Observed(3, three(100), 1, List.of(), false, false, Map.of(), LONG_AGO), POLICY, NOW))
                .isInstanceOfSatisfying(Wait.class, w -> assertThat(w.message()).endsWith("a learner is catching up"));
    }

    @Test
    void aGrowingOrUpgradingClusterWaits() {
        assertThat(EtcdMaintenancePlan.next(
                        new Observed(3, three(100), 0, List.of(), true, false, Map.of(), LONG_AGO), POLICY, NOW))
                .isInstanceOfSatisfying(
                        Wait.class, w -> assertThat(w.message()).isEqualTo("defragmentation waits: etcd is growing"));
        assertThat(EtcdMaintenancePlan.next(
                        new Observed(3, three(100), 0, List.of(), false, true, Map.of(), LONG_AGO), POLICY, NOW))
                .isInstanceOfSatisfying(
                        Wait.class,
                        w -> assertThat(w.message())
                                .isEqualTo("defragmentation waits: the control plane is upgrading"));
    }

    @Test
    void aNeverDefragmentedClusterIsDueFromItsOwnOffsetAfterCreation() {
        Instant created = NOW.minus(Duration.ofMinutes(1));
        Instant first = EtcdMaintenancePlan.firstDue(created, "5f0c7c1e-2d5e-4a4b-9c1e-0d8c1f8a2b3c", POLICY);
        Instant other = EtcdMaintenancePlan.firstDue(created, "0b6f3f4e-7c2a-4d1e-8f3b-6a5d4c3b2a19", POLICY);

        assertThat(first).isBetween(created, created.plus(Duration.ofDays(1)));
        assertThat(other).isBetween(created, created.plus(Duration.ofDays(1)));
        assertThat(first).as("two clusters made together spread").isNotEqualTo(other);
        Observed fresh = new Observed(3, three(100), 0, List.of(), false, false, Map.of(), first);
        assertThat(EtcdMaintenancePlan.next(fresh, POLICY, first.minusSeconds(1)))
                .isInstanceOf(Idle.class);
        assertThat(EtcdMaintenancePlan.next(fresh, POLICY, first)).isInstanceOf(Defragment.class);
    }

    @Test
    void noSpaceCompactsToTheCurrentRevisionAndDefragmentsEveryMemberLeaderLast() {
        List<MemberState> full = List.of(
                MemberState.answered(
                        "etcd-0",
                        new EtcdMemberStatus(
                                "1", "2", 4711, 1024 * MIB, 1000 * MIB, List.of("memberID:2 alarm:NOSPACE "))),
                member("etcd-1", "2", 1000),
                member("etcd-2", "3", 1000));
        Observed observed = new Observed(
                3,
                full,
                0,
                List.of(NOSPACE),
                false,
                true, // an upgrade does not hold a recovery: it cannot go on while etcd refuses writes anyway
                Map.of("etcd-0", NOW, "etcd-1", NOW, "etcd-2", NOW), // defragmented just now: NOSPACE does not wait
                LONG_AGO);

        assertThat(EtcdMaintenancePlan.next(observed, POLICY, NOW))
                .isInstanceOfSatisfying(RecoverSpace.class, recover -> {
                    assertThat(recover.revision()).isEqualTo(4711);
                    assertThat(recover.order()).containsExactly("etcd-0", "etcd-2", "etcd-1");
                    assertThat(recover.message())
                            .startsWith("etcd's db reached its quota (NOSPACE alarm): the cluster refuses writes; "
                                    + "the operator is compacting etcd to revision 4711 and defragmenting each "
                                    + "member in turn")
                            .endsWith("If this persists, delete objects in the cluster or raise the etcd storage");
                });
    }

    @Test
    void aNewNoSpaceAlarmIsFirstOnlyReported() {
        Observed observed = new Observed(3, three(1000), 0, List.of(NOSPACE), false, false, Map.of(), LONG_AGO);

        assertThat(EtcdMaintenancePlan.next(observed, POLICY, NOW, false)).isInstanceOfSatisfying(Wait.class, wait -> {
            assertThat(wait.noSpace()).isTrue();
            assertThat(wait.message())
                    .isEqualTo("etcd's db reached its quota (NOSPACE alarm): the cluster refuses writes; the "
                            + "operator compacts and defragments it next. If this persists, delete objects "
                            + "in the cluster or raise the etcd storage");
        });
        assertThat(EtcdMaintenancePlan.next(observed, POLICY, NOW, true)).isInstanceOf(RecoverSpace.class);
    }

    @Test
    void noSpaceWithAMemberDownWaitsAndSaysSo() {
        Observed observed = new Observed(
                3,
                List.of(
                        member("etcd-0", "1", 1000),
                        member("etcd-1", "2", 1000),
                        MemberState.down("etcd-2", "timeout")),
                0,
                List.of(NOSPACE),
                false,
                false,
                Map.of(),
                LONG_AGO);

        assertThat(EtcdMaintenancePlan.next(observed, POLICY, NOW)).isInstanceOfSatisfying(Wait.class, wait -> {
            assertThat(wait.noSpace()).isTrue();
            assertThat(wait.message())
                    .contains("refuses writes; the operator compacts and defragments it when it can, and waits: "
                            + "member etcd-2 is down (timeout)");
        });
    }

    @Test
    void afterRecoveryTheAlarmIsDisarmedOnlyWhenEveryDbHasRoomAgain() {
        long quota = 1024 * MIB;
        List<MemberState> shrunk = List.of(
                MemberState.answered("etcd-0", new EtcdMemberStatus("1", "2", 5000, 200 * MIB, 200 * MIB, List.of())),
                MemberState.answered("etcd-1", new EtcdMemberStatus("2", "2", 5000, 210 * MIB, 200 * MIB, List.of())));

        assertThat(EtcdMaintenancePlan.afterRecovery(shrunk, List.of(NOSPACE, new EtcdAlarm("1", "CORRUPT")), quota))
                .isInstanceOfSatisfying(Disarm.class, disarm -> {
                    assertThat(disarm.alarms()).as("only NOSPACE").containsExactly(NOSPACE);
                    assertThat(disarm.message())
                            .isEqualTo("etcd has room again after compaction and defragmentation (200 MiB, 210 MiB of "
                                    + "1024 MiB); disarming the NOSPACE alarm");
                });

        List<MemberState> stillFull = List.of(
                MemberState.answered("etcd-0", new EtcdMemberStatus("1", "1", 5000, 980 * MIB, 980 * MIB, List.of())));
        assertThat(EtcdMaintenancePlan.afterRecovery(stillFull, List.of(NOSPACE), quota))
                .isInstanceOfSatisfying(Wait.class, wait -> {
                    assertThat(wait.noSpace()).isTrue();
                    assertThat(wait.message())
                            .contains("etcd member etcd-0 still holds 980 MiB of its 1024 MiB quota: the cluster's "
                                    + "data needs more room; delete objects in the cluster or raise the etcd storage");
                });

        assertThat(EtcdMaintenancePlan.afterRecovery(
                        List.of(MemberState.down("etcd-0", "timeout")), List.of(NOSPACE), quota))
                .isInstanceOfSatisfying(
                        Wait.class,
                        wait -> assertThat(wait.message())
                                .contains("disarms the alarm once member etcd-0 answers again (timeout)"));
    }
}
