package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.InstancePoolStatus;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.Durations;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.NodeProof;
import dev.operator.sks.tenant.PoolNodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What an InstancePool asks of its tenant Nodes and kubelets, and what it makes of the answer: pure, so the reconciler
 * only passes requests and answers along.
 */
final class NodeTracking {
    private NodeTracking() {}

    /** At most this many departed instances are kept: a pool scaled up and down for long with its tenant away. */
    static final int MAX_DEPARTED = 100;

    /** The Nodes the pool's running members should have, and the departed instances' Nodes it should not. */
    static PoolNodes.Request request(DesiredPool desired, ProviderPool observed, List<NodeProof.Machine> departed) {
        return request(desired, observed, departed, List.of());
    }

    /** As above, each running instance's Node reporting the version {@code instances} (the status) says it runs. */
    static PoolNodes.Request request(
            DesiredPool desired, ProviderPool observed, List<NodeProof.Machine> departed, List<Instance> instances) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (Instance instance : instances) {
            if (instance.name != null && instance.version != null) {
                versions.put(instance.name, instance.version);
            }
        }
        return PoolNodes.Request.of(
                desired,
                observed.members().stream().filter(ProviderInstance::isRunning).toList(),
                departed,
                versions);
    }

    /**
     * The pool's members as the status lists them, each with what it was made from: an instance the last status
     * listed keeps its revision, version and first-seen time; one seen for the first time gets the pool's current
     * {@code revision} and {@code version} and {@code now}. Its Node's readiness is carried over until the next sync.
     */
    static List<Instance> remember(
            List<ProviderInstance> members, InstancePoolStatus before, String revision, String version, Instant now) {
        Map<String, Instance> known = new LinkedHashMap<>();
        if (before != null && before.instances != null) {
            before.instances.stream().filter(i -> i.name != null).forEach(i -> known.putIfAbsent(i.name, i));
        }
        List<Instance> instances = new ArrayList<>();
        for (ProviderInstance member : members) {
            Instance instance = member.toStatus();
            Instance last = known.get(member.name());
            // An instance listed before this operator recorded revisions adopts the current one: upgrading the
            // operator replaces no machine.
            instance.revision = last != null && last.revision != null ? last.revision : revision;
            instance.version = last != null && last.version != null ? last.version : version;
            instance.createdAt = last != null && last.createdAt != null ? last.createdAt : Conditions.timestamp(now);
            if (last != null) {
                instance.nodeName = last.nodeName;
                instance.notReadySince = last.notReadySince;
            }
            instances.add(instance);
        }
        return instances;
    }

    /**
     * The instances whose played kubelets the pool's {@link Labels#STOP_HEARTBEATS_ANNOTATION} stops (a test and demo
     * switch of the simulated provider: {@link PoolNodes} ignores it when observing real machines).
     */
    static Set<String> heartbeatsStopped(InstancePool pool) {
        Map<String, String> annotations = pool.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Labels.STOP_HEARTBEATS_ANNOTATION);
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The instances the pool had and no longer has: those its last status listed (as members or as departed) that the
     * provider no longer reports. Kept in the status, so a Node is removed even when the tenant answers only later, or
     * after a restart.
     */
    static List<NodeProof.Machine> departed(InstancePoolStatus before, ProviderPool observed) {
        if (before == null) {
            return List.of();
        }
        Set<String> members =
                observed.members().stream().map(ProviderInstance::name).collect(Collectors.toSet());
        Map<String, NodeProof.Machine> departed = new LinkedHashMap<>();
        for (List<Instance> list : Arrays.asList(before.departed, before.instances)) {
            if (list == null) {
                continue;
            }
            for (Instance instance : list) {
                if (instance.name != null && !members.contains(instance.name)) {
                    departed.putIfAbsent(instance.name, new NodeProof.Machine(instance.name, instance.id));
                }
            }
        }
        List<NodeProof.Machine> all = List.copyOf(departed.values());
        return all.size() <= MAX_DEPARTED ? all : all.subList(all.size() - MAX_DEPARTED, all.size());
    }

    /** A deleted pool's request: no instance runs, and every one it listed (members and departed) is gone. */
    static PoolNodes.Request allGone(DesiredPool desired, InstancePoolStatus last) {
        return request(desired, ProviderPool.absent(), departed(last, ProviderPool.absent()));
    }

    /** {@code departed} without those whose Nodes the last sync found gone, as the status keeps them. */
    static List<Instance> stillDeparted(
            List<NodeProof.Machine> departed, Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last) {
        Set<String> done = last.map(o -> o.result().departedDone()).orElse(Set.of());
        List<Instance> kept = new ArrayList<>();
        for (NodeProof.Machine machine : departed) {
            if (!done.contains(machine.name())) {
                Instance instance = new Instance();
                instance.name = machine.name();
                instance.id = machine.id().isEmpty() ? null : machine.id();
                instance.addresses = null;
                kept.add(instance);
            }
        }
        return kept;
    }

    /** Each member's addresses by its name (the Node name its kubelet registers with), for the serving approver. */
    static Map<String, List<String>> addressesByNode(ProviderPool observed) {
        return observed.members().stream()
                .collect(Collectors.toMap(
                        ProviderInstance::name, ProviderInstance::addresses, (first, second) -> first));
    }

    /**
     * Fills in the node name of each running instance the last sync found Ready, and clears it for the others, which
     * get the time their Node stopped being Ready (or, without a Node, when the instance was first seen): what
     * auto-repair measures. Before any sync (after a restart) what the status said is kept.
     */
    static void markRegistered(
            List<Instance> instances, Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last) {
        if (last.isEmpty()) {
            return;
        }
        Set<String> ready = last.get().result().readyNodes();
        Map<String, Instant> notReady = last.get().result().notReadySince();
        for (Instance instance : instances) {
            boolean registered = InstanceState.Running.name().equals(instance.state) && ready.contains(instance.name);
            instance.nodeName = registered ? instance.name : null;
            if (registered) {
                instance.notReadySince = null;
            } else if (notReady.containsKey(instance.name)) {
                instance.notReadySince = Conditions.timestamp(notReady.get(instance.name));
            } else if (instance.notReadySince == null) {
                instance.notReadySince = instance.createdAt;
            }
        }
    }

    /**
     * When to look at the Nodes again: while they are not in sync with {@code request}, after {@code retryAfter}; and
     * for real machines (and simulated ones with stopped kubelets) always, since a Node may stop being Ready without any
     * event reaching the pool.
     */
    static Optional<Duration> lookAgain(
            Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last,
            PoolNodes.Request request,
            boolean simulating,
            Supplier<Duration> retryAfter) {
        // A simulated pool is looked at again only while some of its kubelets are stopped: their Nodes turn not Ready
        // in the tenant with no event here.
        Optional<Duration> keepObserving = !simulating
                ? Optional.of(PoolNodes.OBSERVE_INTERVAL)
                : request.heartbeatsStopped().isEmpty()
                        ? Optional.empty()
                        : Optional.of(PoolNodes.STOPPED_RESYNC_INTERVAL);
        return InstancePoolReport.inSync(last, request)
                ? keepObserving
                : Durations.sooner(Optional.of(retryAfter.get()), keepObserving);
    }
}
