package dev.operator.sks.provider.simulated;

import dev.operator.sks.support.Ipv4Block;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which address of the pool each LoadBalancer Service of one tenant gets, as the simulated service controller hands
 * them out: pure, from the pool and the tenant's Services as they are.
 *
 * <p>The address a Service holds lives in its own {@code status.loadBalancer}, so it is stable for the Service's UID
 * across every round and restart, with no state kept anywhere else: a Service that holds a pool address keeps it (the
 * oldest Service wins, should two claim one). A Service that is no LoadBalancer any more but holds a pool address
 * releases it, and a deleted one is simply gone; either address goes back to the pool. The others get the lowest free
 * address, oldest Service first, or wait while the pool is exhausted.
 */
public final class LoadBalancerAllocation {
    private LoadBalancerAllocation() {}

    /**
     * One tenant Service, as far as addresses go.
     *
     * @param created its creation timestamp (RFC 3339, which sorts as text): older Services are served first
     * @param wantsAddress of type LoadBalancer, with no {@code loadBalancerClass} naming another controller
     * @param ingressIps the addresses its {@code status.loadBalancer.ingress} holds now
     */
    public record Service(
            String uid, String namespace, String name, String created, boolean wantsAddress, List<String> ingressIps) {
        public Service {
            Objects.requireNonNull(uid, "uid");
            created = Objects.requireNonNullElse(created, "");
            ingressIps = List.copyOf(ingressIps);
        }
    }

    /**
     * @param assign by Service UID, the address to write (a Service that has it already is not here)
     * @param release Services that are no LoadBalancer any more and whose pool address is to be cleared
     * @param pending LoadBalancer Services left without an address: the pool is exhausted
     */
    public record Plan(Map<String, String> assign, Set<String> release, List<Service> pending) {
        public Plan {
            assign = Map.copyOf(assign);
            release = Set.copyOf(release);
            pending = List.copyOf(pending);
        }
    }

    public static Plan plan(Ipv4Block pool, List<Service> services) {
        List<Service> ordered = services.stream()
                .sorted(Comparator.comparing(Service::created).thenComparing(Service::uid))
                .toList();
        Set<Long> taken = new HashSet<>();
        Set<String> served = new HashSet<>();
        Set<String> release = new HashSet<>();
        Map<String, String> assign = new LinkedHashMap<>();
        for (Service service : ordered) {
            List<Long> held = service.ingressIps().stream()
                    .map(pool::indexOf)
                    .flatMap(Optional::stream)
                    .toList();
            if (!service.wantsAddress()) {
                if (!held.isEmpty()) {
                    release.add(service.uid());
                }
                continue;
            }
            Optional<Long> kept = held.stream().filter(i -> !taken.contains(i)).findFirst();
            if (kept.isPresent()) {
                taken.add(kept.get());
                served.add(service.uid());
                if (service.ingressIps().size() != 1) { // exactly the pool's one address, nothing else
                    assign.put(service.uid(), pool.host(kept.get()));
                }
            }
        }
        List<Service> pending = new ArrayList<>();
        long next = 0;
        for (Service service : ordered) {
            if (!service.wantsAddress() || served.contains(service.uid())) {
                continue;
            }
            while (next < pool.size() && taken.contains(next)) {
                next++;
            }
            if (next >= pool.size()) {
                pending.add(service);
                continue;
            }
            taken.add(next);
            assign.put(service.uid(), pool.host(next));
        }
        return new Plan(assign, release, pending);
    }
}
