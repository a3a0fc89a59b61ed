package dev.operator.sks.provider.simulated;

import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.ComputeProvider;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Machines that exist only in memory, so the whole flow runs on any cluster. An instance is Starting for the
 * configured delay after it is made, then Running; it has a stable UUID and an address from 10.0.0.0/8. This class
 * knows nothing of the tenant cluster: registering Nodes for its instances is the reconciler's work.
 *
 * <p>Thread-safe: pools are independent and each is changed under its own lock.
 */
public final class SimulatedProvider implements ComputeProvider {
    public static final String NAME = "simulated";

    private record SimulatedInstance(String id, String name, Instant createdAt, String address) {}

    /** One pool; guarded by its own monitor. */
    private static final class SimulatedPool {
        final String id = UUID.randomUUID().toString();
        final List<SimulatedInstance> instances = new ArrayList<>(); // oldest first
    }

    private final Clock clock;
    private final Duration startDelay;
    private final Random random;
    private final Map<String, SimulatedPool> pools = new ConcurrentHashMap<>();
    private final AtomicInteger addressesHandedOut = new AtomicInteger();

    /**
     * @param startDelay how long an instance stays Starting; zero makes instances Running at once
     */
    public SimulatedProvider(Clock clock, Duration startDelay) {
        this(clock, startDelay, new Random());
    }

    SimulatedProvider(Clock clock, Duration startDelay, Random random) {
        if (startDelay.isNegative()) {
            throw new IllegalArgumentException("start delay " + startDelay + " is negative");
        }
        this.clock = clock;
        this.startDelay = startDelay;
        this.random = random;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderPool reconcile(DesiredPool desired) {
        SimulatedPool pool = pools.computeIfAbsent(desired.key(), key -> new SimulatedPool());
        synchronized (pool) {
            while (pool.instances.size() < desired.size()) {
                pool.instances.add(newInstance(pool, desired.instancePrefix()));
            }
            while (pool.instances.size() > desired.size()) {
                pool.instances.remove(pool.instances.size() - 1); // the newest goes first
            }
            return describe(pool);
        }
    }

    @Override
    public ProviderPool evict(DesiredPool desired, Collection<String> instanceNames) {
        SimulatedPool pool = pools.get(desired.key());
        if (pool == null) {
            return ProviderPool.absent();
        }
        Set<String> names = Set.copyOf(instanceNames);
        synchronized (pool) {
            pool.instances.removeIf(instance -> names.contains(instance.name()));
            return describe(pool);
        }
    }

    @Override
    public boolean delete(DesiredPool desired) {
        pools.remove(desired.key());
        return true;
    }

    private SimulatedInstance newInstance(SimulatedPool pool, String prefix) {
        Set<String> taken = new HashSet<>();
        pool.instances.forEach(instance -> taken.add(instance.name()));
        String name;
        do {
            name = Names.poolInstance(prefix, Names.randomSuffix(random));
        } while (taken.contains(name));
        return new SimulatedInstance(UUID.randomUUID().toString(), name, clock.instant(), nextAddress());
    }

    private String nextAddress() {
        int n = addressesHandedOut.incrementAndGet(); // 10.0.0.1 onwards; 16 million before it wraps
        return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    }

    private ProviderPool describe(SimulatedPool pool) {
        Instant now = clock.instant();
        List<ProviderInstance> instances = pool.instances.stream()
                .map(i -> new ProviderInstance(
                        i.id(),
                        i.name(),
                        now.isBefore(i.createdAt().plus(startDelay)) ? InstanceState.Starting : InstanceState.Running,
                        List.of(i.address())))
                .toList();
        return new ProviderPool(pool.id, instances);
    }
}
