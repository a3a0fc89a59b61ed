package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.etcd.EtcdConnector;
import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.etcd.EtcdGrowth;
import dev.operator.sks.etcd.EtcdMembers;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.EtcdLayout;
import dev.operator.sks.rendering.EtcdRenderer;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows etcd one member at a time ({@link EtcdGrowth}, which holds the knowledge): asks etcd for its members only
 * while the StatefulSet has fewer than the level wants or a learner, takes at most one membership step per reconcile,
 * and plans again for what to render. An unreachable etcd leaves the StatefulSet as it is and is asked again with
 * backoff. Each membership change is told as an Event.
 */
final class EtcdGrower {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdGrower.class);

    /**
     * Where etcd's growth stands this reconcile: the layout to render, and while growing what EtcdReady says and when
     * to look again.
     */
    record Progress(EtcdLayout layout, Optional<String> reason, String message, Optional<Duration> lookAgain) {
        static Progress steady(EtcdLayout layout) {
            return new Progress(layout, Optional.empty(), "", Optional.empty());
        }

        boolean growing() {
            return reason.isPresent();
        }
    }

    private final EtcdConnector connector;
    private final EventRecorder events;
    /** Failed growth calls in a row (unreachable or refused) per growing cluster, for the backoff; reset on success. */
    private final Map<ResourceID, Integer> failures = new ConcurrentHashMap<>();

    EtcdGrower(EtcdConnector connector, EventRecorder events) {
        this.connector = connector;
        this.events = events;
    }

    Progress grow(
            KubernetesClient client, SKSCluster cluster, ControlPlaneInputs inputs, Optional<StatefulSet> statefulSet) {
        int desired = EtcdRenderer.members(Defaults.level(cluster.getSpec()));
        ResourceID id = ResourceID.fromResource(cluster);
        if (!EtcdGrowth.inProgress(desired, statefulSet)) {
            failures.remove(id);
            return Progress.steady(EtcdGrowth.layoutWithoutMembers(desired, statefulSet));
        }
        EtcdLayout current = EtcdLayout.of(statefulSet.orElseThrow());
        IntFunction<String> peerUrl = ordinal -> EtcdRenderer.peerUrl(inputs, ordinal);
        String where = cluster.getMetadata().getNamespace() + "/"
                + cluster.getMetadata().getName();
        try {
            EtcdMembers members = connector.connect(client, cluster, EtcdRenderer.firstMemberClientUrl(inputs));
            EtcdGrowth.Step step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
            if (step instanceof EtcdGrowth.AddLearner add) {
                members.addLearner(add.peerUrl());
                LOG.info("{}: added etcd member {} as learner ({})", where, add.ordinal() + 1, add.peerUrl());
                events.normal(
                        cluster,
                        ClusterEvents.ETCD_MEMBER_ADDED,
                        ClusterEvents.memberAdded(add.ordinal() + 1, desired, add.peerUrl()));
                step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
            } else if (step instanceof EtcdGrowth.Promote promote) {
                try {
                    members.promote(promote.memberId());
                    LOG.info("{}: promoted etcd member {} to voting member", where, promote.ordinal() + 1);
                    events.normal(
                            cluster,
                            ClusterEvents.ETCD_MEMBER_PROMOTED,
                            ClusterEvents.memberPromoted(promote.ordinal() + 1, desired));
                    step = EtcdGrowth.next(desired, current, members.list(), peerUrl);
                } catch (EtcdException e) {
                    if (!e.learnerNotCaughtUp()) {
                        throw e;
                    }
                    // The step's message already says so: waiting for the learner to catch up.
                }
            }
            failures.remove(id);
            if (step instanceof EtcdGrowth.Done) {
                return Progress.steady(step.layout());
            }
            return new Progress(
                    step.layout(), Optional.of(step.reason()), step.message(), Optional.of(EtcdGrowth.POLL));
        } catch (EtcdException e) {
            int failed = failures.merge(id, 1, Integer::sum);
            Optional<Duration> retry = Optional.of(EtcdGrowth.retryAfter(failed));
            String member = "member " + (current.votingMembers() + 1) + " of " + desired;
            if (e.answered()) {
                // Reached, but refused for now: etcd turns down a new member while one was just promoted ("unhealthy
                // cluster") until every member has been connected for a few seconds.
                LOG.info("{}: etcd refused a growth step (attempt {}): {}", where, failed, e.getMessage());
                return new Progress(
                        current,
                        Optional.of(EtcdGrowth.ADDING_MEMBER),
                        "adding etcd " + member + ": etcd refused for now, trying again: " + e.getMessage(),
                        retry);
            }
            LOG.info("{}: cannot reach etcd to grow it (attempt {}): {}", where, failed, e.getMessage());
            return new Progress(
                    current,
                    Optional.of("EtcdUnreachable"),
                    "cannot reach etcd to add " + member + ": " + e.getMessage(),
                    retry);
        }
    }

    /** Drops what was kept of a deleted cluster. */
    void forget(SKSCluster cluster) {
        failures.remove(ResourceID.fromResource(cluster));
    }
}
