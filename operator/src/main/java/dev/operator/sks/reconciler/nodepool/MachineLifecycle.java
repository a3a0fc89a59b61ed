package dev.operator.sks.reconciler.nodepool;

import dev.operator.sks.api.Defaults;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.MachineDrain;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.NodepoolSpec;
import dev.operator.sks.api.NodepoolStatus;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.lifecycle.DrainReason;
import dev.operator.sks.lifecycle.HealthCheck;
import dev.operator.sks.lifecycle.Machine;
import dev.operator.sks.lifecycle.RollingPlan;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.Durations;
import dev.operator.sks.tenant.NodeDrains;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Carries a Nodepool's machine decisions out ({@link RollingPlan}, {@link HealthCheck}): observes the machines its
 * InstancePool lists with their revision and readiness, drains every machine before it goes (through {@link
 * NodeDrains}, the drain's start kept in status.draining so its deadline survives a restart), and returns the size and
 * evictions the InstancePool must be told. Acts only on a pool status that answers the pool's latest spec, so a step is
 * never taken twice on stale counts. Conditions are worded by {@link NodepoolReport}; the step Events are told here.
 */
final class MachineLifecycle {
    private static final Set<String> NODES_KNOWN = Set.of("Registered", "WaitingForNodes");

    private final NodeDrains drains;
    private final EventRecorder events;
    private final Clock clock;

    MachineLifecycle(NodeDrains drains, EventRecorder events, Clock clock) {
        this.drains = drains;
        this.events = events;
        this.clock = clock;
    }

    /** While a drain runs in the background: how soon to ask it again. */
    static final Duration DRAIN_POLL = Duration.ofSeconds(5);
    /** While a machine's Node is not Ready or a replacement waits: time alone may make the next step due. */
    static final Duration WATCH_POLL = Duration.ofSeconds(30);

    /**
     * What the InstancePool is told: its size and the instances it removes by name; and when to look again, since a
     * drain's progress and a Node that stays not Ready wake no informer.
     */
    record Outcome(int size, List<String> evict, Optional<Duration> lookAgain) {
        Outcome(int size, List<String> evict) {
            this(size, evict, Optional.empty());
        }
    }

    /**
     * @param observed the InstancePool as last read, if it exists
     * @param revision what new machines are made from now ({@link dev.operator.sks.lifecycle.MachineRevision})
     * @param userEvictions the names in the Nodepool's evict annotation
     */
    Outcome step(
            Nodepool nodepool,
            ClusterKey cluster,
            NodepoolStatus status,
            Optional<InstancePool> observed,
            String revision,
            List<String> userEvictions) {
        NodepoolSpec spec = nodepool.getSpec();
        int size = InstancePools.size(nodepool); // spec.size, within the autoscaling bounds
        Long generation = nodepool.getMetadata().getGeneration();
        if (observed.isEmpty() || !current(observed.get())) {
            // Not made yet, or its reconciler has not caught up with what it was told last: nothing is decided on it.
            return observed.map(p -> new Outcome(
                            p.getSpec().size == null ? size : p.getSpec().size, listOrEmpty(p.getSpec().evict)))
                    .orElse(new Outcome(size, userEvictions));
        }
        InstancePool pool = observed.get();
        // Whole seconds, as status keeps times: a drain's deadline is the same before and after a restart.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<Instance> instances = listOrEmpty(pool.getStatus().instances);
        Map<String, Instance> members = new LinkedHashMap<>();
        instances.stream().filter(i -> i.name != null).forEach(i -> members.put(i.name, i));
        List<Machine> machines =
                instances.stream().map(i -> machine(i, revision, now)).toList();
        boolean nodesKnown = Conditions.find(pool.getStatus().conditions, Conditions.NODES_REGISTERED)
                .map(c -> NODES_KNOWN.contains(c.getReason()))
                .orElse(false);
        Duration drainTimeout =
                Durations.parseShort(Defaults.drainTimeout(spec)).orElse(Duration.ofMinutes(10));

        // Drains whose machine is gone are done with; the others are asked how far they have come.
        Map<String, MachineDrain> draining = new LinkedHashMap<>();
        for (MachineDrain drain : listOrEmpty(status.draining)) {
            if (drain.machine == null) {
                continue;
            }
            if (members.containsKey(drain.machine)) {
                draining.putIfAbsent(drain.machine, drain);
            } else {
                drains.forget(cluster, drain.machine);
            }
        }
        // What a person evicts by name is drained first too; a name the pool does not have is passed on as it is.
        List<String> evict = new ArrayList<>(keptEvictions(pool, members.keySet()));
        for (String name : userEvictions) {
            if (!members.containsKey(name)) {
                evict.add(name);
            } else if (!draining.containsKey(name)) {
                draining.put(name, new MachineDrain(name, DrainReason.Evict.name(), Conditions.timestamp(now)));
                events.normal(nodepool, "DrainingMachine", NodepoolReport.draining(name, DrainReason.Evict));
            }
        }

        // Auto-repair: unhealthy machines join the drains, unless too many are.
        List<Machine> active =
                machines.stream().filter(m -> !draining.containsKey(m.name())).toList();
        HealthCheck.Verdict health = HealthCheck.decide(new HealthCheck.Inputs(
                Defaults.autoRepair(spec),
                active,
                draining.values().stream()
                        .filter(d -> DrainReason.Repair.name().equals(d.reason))
                        .map(d -> d.machine)
                        .collect(Collectors.toSet()),
                RollingPlan.newAndNotReady(Defaults.upgradeStrategy(spec), active),
                nodesKnown,
                Durations.parseShort(Defaults.unhealthyAfter(spec)).orElse(Duration.ofMinutes(10)),
                HealthCheck.maxUnhealthy(Defaults.maxUnhealthy(spec), size).orElse(1),
                now));
        if (health instanceof HealthCheck.Repair repair) {
            for (String name : repair.machines()) {
                draining.put(name, new MachineDrain(name, DrainReason.Repair.name(), Conditions.timestamp(now)));
                events.warning(nodepool, "RepairingMachine", NodepoolReport.repairing(members.get(name), now));
            }
        }
        NodepoolReport.autoRepair(health).setIn(status.conditions, generation, clock);

        Map<String, Boolean> done = new LinkedHashMap<>();
        for (MachineDrain drain : draining.values()) {
            if (!nodesKnown) {
                // The tenant's Nodes cannot be read (no tenant yet, or it does not answer): a drain could not reach
                // them
                // either, and waiting out the drain timeout would only hold a scale-down or an eviction back.
                done.put(drain.machine, true);
                continue;
            }
            Instant started = instant(drain.startedAt).orElse(now);
            NodeDrains.Progress progress = drains.drain(cluster, drain.machine, started.plus(drainTimeout));
            if (progress instanceof NodeDrains.TimedOut timedOut) {
                events.warning(
                        nodepool,
                        "DrainTimedOut",
                        NodepoolReport.drainTimedOut(
                                drain.machine, drainTimeout, timedOut.podsLeft(), timedOut.detail()));
            }
            done.put(drain.machine, progress.done());
        }

        RollingPlan.Step step = RollingPlan.next(new RollingPlan.Inputs(
                size,
                Defaults.upgradeStrategy(spec),
                Defaults.maxSurge(spec),
                Defaults.maxUnavailable(spec),
                machines,
                done,
                nodesKnown,
                now,
                RollingPlan.STUCK_AFTER));
        int poolSize = pool.getSpec().size == null ? size : pool.getSpec().size;
        if (step instanceof RollingPlan.Remove remove) {
            for (String name : remove.machines()) {
                MachineDrain drain = draining.remove(name);
                evict.add(name);
                drains.forget(cluster, name);
                DrainReason reason = DrainReason.parse(drain == null ? null : drain.reason);
                events.normal(nodepool, NodepoolReport.removedReason(reason), NodepoolReport.removed(name, reason));
            }
            poolSize = Math.max(0, poolSize - remove.machines().size());
        } else if (step instanceof RollingPlan.Grow grow) {
            poolSize = Math.max(poolSize, machines.size() + grow.count());
            events.normal(nodepool, "MachineAdded", NodepoolReport.adding(grow.count(), revision));
        } else if (step instanceof RollingPlan.Drain drain) {
            for (String name : drain.machines()) {
                draining.put(name, new MachineDrain(name, drain.reason().name(), Conditions.timestamp(now)));
                drains.drain(cluster, name, now.plus(drainTimeout));
                events.normal(nodepool, "DrainingMachine", NodepoolReport.draining(name, drain.reason()));
            }
        }
        NodepoolReport.upToDate(Defaults.upgradeStrategy(spec), machines, step)
                .setIn(status.conditions, generation, clock);

        status.draining = new ArrayList<>(draining.values());
        status.revision = revision;
        status.updatedMachines =
                (int) machines.stream().filter(Machine::current).count();
        oldestVersion(instances).ifPresent(v -> status.version = v.toString());
        Optional<Duration> lookAgain = !draining.isEmpty()
                ? Optional.of(DRAIN_POLL)
                : step instanceof RollingPlan.Settled && machines.stream().allMatch(Machine::ready)
                        ? Optional.empty()
                        : Optional.of(WATCH_POLL);
        return new Outcome(poolSize, distinct(evict), lookAgain);
    }

    /** Whether the pool's status answers its latest spec: its reconciler has seen what it was told last. */
    static boolean current(InstancePool pool) {
        return pool.getStatus() != null
                && pool.getMetadata().getGeneration() != null
                && pool.getMetadata().getGeneration().equals(pool.getStatus().observedGeneration);
    }

    /**
     * The evictions already passed on, kept until the pool has done them (it lists them in status.evicted and no longer
     * has them), so the list does not grow for ever.
     */
    private static List<String> keptEvictions(InstancePool pool, Set<String> members) {
        List<String> evicted = listOrEmpty(pool.getStatus().evicted);
        return listOrEmpty(pool.getSpec().evict).stream()
                .filter(name -> members.contains(name) || !evicted.contains(name))
                .toList();
    }

    static Machine machine(Instance instance, String revision, Instant now) {
        boolean ready = instance.nodeName != null && "Running".equals(instance.state);
        Instant created = instant(instance.createdAt).orElse(now);
        return new Machine(
                instance.name,
                Objects.equals(revision, instance.revision),
                ready,
                created,
                ready ? Optional.empty() : instant(instance.notReadySince));
    }

    /** The oldest kubelet version among the machines: what the pool runs while old and new are mixed. */
    static Optional<KubernetesVersion> oldestVersion(List<Instance> instances) {
        return instances.stream()
                .map(i -> i.version)
                .filter(Objects::nonNull)
                .map(KubernetesVersion::parse)
                .flatMap(Optional::stream)
                .min(Comparator.naturalOrder());
    }

    private static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static List<String> distinct(List<String> names) {
        return List.copyOf(new LinkedHashSet<>(names));
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
