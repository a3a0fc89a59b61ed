package dev.operator.sks.rendering;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the etcd StatefulSet is rendered with besides the spec: how many members run, how many of them etcd lists as
 * voting, and how a member that starts without data joins. A cluster created at its size starts every member at once
 * with {@code new}; a cluster that grows adds one learner at a time, which must join with {@code existing} and the
 * membership at that point as {@code --initial-cluster}.
 *
 * @param replicas      the StatefulSet's replicas; {@code --initial-cluster} names members 0 to replicas-1
 * @param votingMembers how many of them etcd lists as voting (the rest: one learner, catching up)
 * @param state         {@code --initial-cluster-state}
 */
public record EtcdLayout(int replicas, int votingMembers, InitialClusterState state) {

    /** {@code --initial-cluster-state}: only read by a member whose data directory is empty. */
    public enum InitialClusterState {
        NEW("new"),
        EXISTING("existing");

        private final String flag;

        InitialClusterState(String flag) {
            this.flag = flag;
        }

        public String flag() {
            return flag;
        }

        static Optional<InitialClusterState> ofFlag(String flag) {
            for (InitialClusterState state : values()) {
                if (state.flag.equals(flag)) {
                    return Optional.of(state);
                }
            }
            return Optional.empty();
        }
    }

    public EtcdLayout {
        if (replicas < 1 || votingMembers < 1 || votingMembers > replicas) {
            throw new IllegalArgumentException(
                    "an etcd layout needs 1 <= voting members (" + votingMembers + ") <= replicas (" + replicas + ")");
        }
        if (state == null) {
            throw new IllegalArgumentException("an etcd layout needs an initial cluster state");
        }
    }

    /** A cluster made at its size: every member starts at once and forms the cluster together. */
    public static EtcdLayout fresh(int members) {
        return new EtcdLayout(members, members, InitialClusterState.NEW);
    }

    /**
     * What an existing StatefulSet was rendered with, read back: its replicas, its voting-members annotation (absent
     * on StatefulSets rendered before growth existed: all voting), its {@code --initial-cluster-state}.
     */
    public static EtcdLayout of(StatefulSet statefulSet) {
        Integer specReplicas =
                statefulSet.getSpec() == null ? null : statefulSet.getSpec().getReplicas();
        int replicas = specReplicas == null || specReplicas < 1 ? 1 : specReplicas;
        Map<String, String> annotations = statefulSet.getMetadata().getAnnotations();
        int voting = replicas;
        String recorded = annotations == null ? null : annotations.get(Labels.ETCD_VOTING_MEMBERS_ANNOTATION);
        if (recorded != null) {
            try {
                voting = Math.max(1, Math.min(replicas, Integer.parseInt(recorded.trim())));
            } catch (NumberFormatException e) {
                voting = replicas;
            }
        }
        return new EtcdLayout(replicas, voting, observedState(statefulSet).orElse(InitialClusterState.NEW));
    }

    /** Growth is over once every member of the StatefulSet votes. */
    public boolean allVoting() {
        return votingMembers == replicas;
    }

    private static Optional<InitialClusterState> observedState(StatefulSet statefulSet) {
        if (statefulSet.getSpec() == null
                || statefulSet.getSpec().getTemplate() == null
                || statefulSet.getSpec().getTemplate().getSpec() == null) {
            return Optional.empty();
        }
        String prefix = "--initial-cluster-state=";
        for (Container container : statefulSet.getSpec().getTemplate().getSpec().getContainers()) {
            List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
            for (String arg : args) {
                if (arg.startsWith(prefix)) {
                    return InitialClusterState.ofFlag(arg.substring(prefix.length()));
                }
            }
        }
        return Optional.empty();
    }
}
