package dev.operator.sks.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.etcd.EtcdGrowth.AddLearner;
import dev.operator.sks.etcd.EtcdGrowth.Done;
import dev.operator.sks.etcd.EtcdGrowth.Promote;
import dev.operator.sks.etcd.EtcdGrowth.RaiseReplicas;
import dev.operator.sks.etcd.EtcdGrowth.Step;
import dev.operator.sks.etcd.EtcdGrowth.Wait;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.EtcdLayout.InitialClusterState;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class EtcdGrowthTest {
    static final IntFunction<String> PEER = ordinal -> "https://c-etcd-" + ordinal + ".c-etcd-peer.ns.svc:2380";
    static final EtcdLayout STARTER = EtcdLayout.fresh(1);

    static EtcdMember voter(int ordinal) {
        return new EtcdMember(
                "10" + ordinal,
                "c-etcd-" + ordinal,
                List.of(PEER.apply(ordinal)),
                List.of("https://c-etcd-" + ordinal + ":2379"),
                false);
    }

    static EtcdMember learner(int ordinal, boolean started) {
        return new EtcdMember(
                "10" + ordinal,
                started ? "c-etcd-" + ordinal : "",
                List.of(PEER.apply(ordinal)),
                started ? List.of("https://c-etcd-" + ordinal + ":2379") : List.of(),
                true);
    }

    @Test
    void aStarterClusterGrowsByAddingMemberTwoAsLearnerFirst() {
        Step step = EtcdGrowth.next(3, STARTER, List.of(voter(0)), PEER);

        assertThat(step).isInstanceOfSatisfying(AddLearner.class, add -> {
            assertThat(add.ordinal()).isEqualTo(1);
            assertThat(add.peerUrl()).isEqualTo("https://c-etcd-1.c-etcd-peer.ns.svc:2380");
        });
        assertThat(step.layout())
                .as("nothing rolls before the learner is listed")
                .isEqualTo(STARTER);
        assertThat(step.message()).isEqualTo("adding etcd member 2 of 3 (learner)");
    }

    @Test
    void onceTheLearnerIsListedTheStatefulSetGrowsByOneJoiningTheExistingCluster() {
        Step step = EtcdGrowth.next(3, STARTER, List.of(voter(0), learner(1, false)), PEER);

        assertThat(step).isInstanceOf(RaiseReplicas.class);
        assertThat(step.layout()).isEqualTo(new EtcdLayout(2, 1, InitialClusterState.EXISTING));
    }

    @Test
    void aLearnerThatHasNotStartedIsWaitedFor() {
        EtcdLayout raised = new EtcdLayout(2, 1, InitialClusterState.EXISTING);

        Step step = EtcdGrowth.next(3, raised, List.of(voter(0), learner(1, false)), PEER);

        assertThat(step).isInstanceOf(Wait.class);
        assertThat(step.layout()).isEqualTo(raised);
        assertThat(step.message()).isEqualTo("adding etcd member 2 of 3 (learner, waiting for it to start)");
        assertThat(step.reason()).isEqualTo("AddingMember");
    }

    @Test
    void aStartedLearnerIsPromoted() {
        EtcdLayout raised = new EtcdLayout(2, 1, InitialClusterState.EXISTING);

        Step step = EtcdGrowth.next(3, raised, List.of(voter(0), learner(1, true)), PEER);

        assertThat(step).isInstanceOfSatisfying(Promote.class, promote -> {
            assertThat(promote.memberId()).isEqualTo("101");
            assertThat(promote.ordinal()).isEqualTo(1);
        });
        assertThat(step.layout()).isEqualTo(raised);
        assertThat(step.message()).isEqualTo("adding etcd member 2 of 3 (learner, waiting to catch up)");
    }

    @Test
    void afterThePromotionTheNextMemberIsAddedAndTheVotersRecorded() {
        EtcdLayout raised = new EtcdLayout(2, 1, InitialClusterState.EXISTING);

        Step step = EtcdGrowth.next(3, raised, List.of(voter(0), voter(1)), PEER);

        assertThat(step)
                .isInstanceOfSatisfying(
                        AddLearner.class, add -> assertThat(add.ordinal()).isEqualTo(2));
        assertThat(step.layout()).isEqualTo(new EtcdLayout(2, 2, InitialClusterState.EXISTING));
        assertThat(step.message()).isEqualTo("adding etcd member 3 of 3 (learner)");
    }

    @Test
    void theLastLearnerIsPromotedEvenThoughTheStatefulSetHasItsFullSize() {
        EtcdLayout full = new EtcdLayout(3, 2, InitialClusterState.EXISTING);
        StatefulSet rendered = statefulSet(full);

        assertThat(EtcdGrowth.inProgress(3, Optional.of(rendered)))
                .as("a learner is left: ask etcd")
                .isTrue();
        assertThat(EtcdGrowth.next(3, full, List.of(voter(0), voter(1), learner(2, true)), PEER))
                .isInstanceOf(Promote.class);
    }

    @Test
    void aGrownClusterIsDoneAndStable() {
        EtcdLayout grown = new EtcdLayout(3, 3, InitialClusterState.EXISTING);

        Step step = EtcdGrowth.next(
                3, new EtcdLayout(3, 2, InitialClusterState.EXISTING), List.of(voter(0), voter(1), voter(2)), PEER);

        assertThat(step).isInstanceOf(Done.class);
        assertThat(step.layout()).isEqualTo(grown);
        assertThat(EtcdGrowth.inProgress(3, Optional.of(statefulSet(grown)))).isFalse();
        assertThat(EtcdGrowth.layoutWithoutMembers(3, Optional.of(statefulSet(grown))))
                .isEqualTo(grown);
    }

    @Test
    void aNewClusterAndASteadyOneNeverAskEtcd() {
        assertThat(EtcdGrowth.inProgress(3, Optional.empty())).isFalse();
        assertThat(EtcdGrowth.layoutWithoutMembers(3, Optional.empty())).isEqualTo(EtcdLayout.fresh(3));
        assertThat(EtcdGrowth.inProgress(1, Optional.of(statefulSet(STARTER)))).isFalse();
        assertThat(EtcdGrowth.inProgress(3, Optional.of(statefulSet(EtcdLayout.fresh(3)))))
                .isFalse();
        assertThat(EtcdGrowth.inProgress(3, Optional.of(statefulSet(STARTER))))
                .as("starter -> pro")
                .isTrue();
    }

    @Test
    void whileEtcdCannotBeAskedTheStatefulSetStaysAsItIs() {
        EtcdLayout raised = new EtcdLayout(2, 1, InitialClusterState.EXISTING);

        assertThat(EtcdGrowth.layoutWithoutMembers(3, Optional.of(statefulSet(raised))))
                .isEqualTo(raised);
    }

    @Test
    void aMemberAlreadyListedIsNeverAddedAgainEvenWhenTheStatefulSetLags() {
        // The learner was added, but the informer still shows the old StatefulSet: raise again, do not add again.
        Step step = EtcdGrowth.next(3, STARTER, List.of(voter(0), learner(1, true)), PEER);

        assertThat(step).isInstanceOf(RaiseReplicas.class);
    }

    @Test
    void neverTwoLearners() {
        Step step = EtcdGrowth.next(
                3,
                new EtcdLayout(2, 1, InitialClusterState.EXISTING),
                List.of(voter(0), learner(1, true), learner(2, false)),
                PEER);

        assertThat(step).isInstanceOf(Wait.class);
        assertThat(step.message()).contains("2 learners");
    }

    @Test
    void aMemberTheOperatorDidNotAddStopsGrowth() {
        EtcdMember stranger = new EtcdMember("999", "other", List.of("https://10.0.0.9:2380"), List.of(), false);

        Step step = EtcdGrowth.next(3, STARTER, List.of(voter(0), stranger), PEER);

        assertThat(step).isInstanceOf(Wait.class);
        assertThat(step.layout()).isEqualTo(STARTER);
        assertThat(step.message()).contains("did not add").contains("https://10.0.0.9:2380");
        assertThat(step.reason()).isEqualTo("MembershipNeedsAttention");
    }

    @Test
    void aPodWhoseMemberEtcdDoesNotListStopsGrowth() {
        Step step = EtcdGrowth.next(3, new EtcdLayout(2, 1, InitialClusterState.EXISTING), List.of(voter(0)), PEER);

        assertThat(step).isInstanceOf(Wait.class);
        assertThat(step.message()).contains("member 2").contains("does not list");
    }

    @Test
    void walkingTheStepsGrowsOneMemberToThreeWithNeverMoreThanOneLearner() {
        List<EtcdMember> etcd = new ArrayList<>(List.of(voter(0)));
        EtcdLayout layout = STARTER;
        List<String> seen = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            assertThat(etcd.stream().filter(EtcdMember::learner).count()).isLessThanOrEqualTo(1);
            Step step = EtcdGrowth.next(3, layout, List.copyOf(etcd), PEER);
            seen.add(step.getClass().getSimpleName());
            layout = step.layout();
            if (step instanceof Done) {
                break;
            } else if (step instanceof AddLearner add) {
                etcd.add(learner(add.ordinal(), false));
            } else if (step instanceof RaiseReplicas) {
                int started = layout.replicas() - 1; // the StatefulSet starts the learner's pod
                etcd.set(started, learner(started, true));
            } else if (step instanceof Promote promote) {
                etcd.set(promote.ordinal(), voter(promote.ordinal()));
            }
        }

        assertThat(seen)
                .containsExactly(
                        "AddLearner", "RaiseReplicas", "Promote", "AddLearner", "RaiseReplicas", "Promote", "Done");
        assertThat(layout).isEqualTo(new EtcdLayout(3, 3, InitialClusterState.EXISTING));
    }

    @Test
    void anUnreachableEtcdIsAskedAgainLaterTheLongerItIsDown() {
        assertThat(EtcdGrowth.retryAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(EtcdGrowth.retryAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(EtcdGrowth.retryAfter(5)).isEqualTo(Duration.ofSeconds(32));
        assertThat(EtcdGrowth.retryAfter(6)).isEqualTo(Duration.ofMinutes(1));
        assertThat(EtcdGrowth.retryAfter(1000)).isEqualTo(Duration.ofMinutes(1));
    }

    private static StatefulSet statefulSet(EtcdLayout layout) {
        return new StatefulSetBuilder()
                .withNewMetadata()
                .withName("c-etcd")
                .addToAnnotations(Labels.ETCD_VOTING_MEMBERS_ANNOTATION, Integer.toString(layout.votingMembers()))
                .endMetadata()
                .withNewSpec()
                .withReplicas(layout.replicas())
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("etcd")
                .withArgs("--initial-cluster-state=" + layout.state().flag())
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
