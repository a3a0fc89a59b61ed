package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.Instance;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.support.Durations;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.PoolNodes;
import java.time.Duration;
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

    /** The Nodes the pool's running members should have. */
    static PoolNodes.Request request(DesiredPool desired, ProviderPool observed) {
        return PoolNodes.Request.of(
                desired,
                observed.members().stream().filter(ProviderInstance::isRunning).toList());
    }

    /** Each member's addresses by its name (the Node name its kubelet registers with), for the serving approver. */
    static Map<String, List<String>> addressesByNode(ProviderPool observed) {
        return observed.members().stream()
                .collect(Collectors.toMap(
                        ProviderInstance::name, ProviderInstance::addresses, (first, second) -> first));
    }

    /** Fills in the node name of each running instance the last sync found Ready, and clears it for the others. */
    static void markRegistered(
            List<Instance> instances, Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last) {
        Set<String> ready = last.map(o -> o.result().readyNodes()).orElse(Set.of());
        for (Instance instance : instances) {
            boolean registered = InstanceState.Running.name().equals(instance.state) && ready.contains(instance.name);
            instance.nodeName = registered ? instance.name : null;
        }
    }

    /**
     * When to look at the Nodes again: while they are not in sync with {@code request}, after {@code retryAfter}; and
     * for real machines always, since a Node may stop being Ready without any event reaching the pool.
     */
    static Optional<Duration> lookAgain(
            Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last,
            PoolNodes.Request request,
            boolean simulating,
            Supplier<Duration> retryAfter) {
        Optional<Duration> keepObserving = simulating ? Optional.empty() : Optional.of(PoolNodes.OBSERVE_INTERVAL);
        return InstancePoolReport.inSync(last, request)
                ? keepObserving
                : Durations.sooner(Optional.of(retryAfter.get()), keepObserving);
    }
}
