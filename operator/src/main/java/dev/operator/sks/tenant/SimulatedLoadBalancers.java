package dev.operator.sks.tenant;

import dev.operator.sks.provider.simulated.LoadBalancerAllocation;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.Ipv4Block;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated service controller: gives each tenant Service of type LoadBalancer an address from the operator's
 * pool ({@code --simulated-load-balancer-addresses}), as a cloud's service controller (or cloud-provider-kind) does,
 * in every tenant that has simulated pools, every {@link #INTERVAL} on a thread of its own, so a tenant that does not
 * answer never slows a reconcile. Which address is {@link LoadBalancerAllocation}'s call; while the pool is exhausted
 * a Service stays pending, and a Warning Event on it in the tenant says why, once.
 *
 * <p>Nothing routes to these addresses: they are documentation addresses that stand in for a cloud load balancer.
 */
public final class SimulatedLoadBalancers implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** The source of its Events in the tenant. */
    public static final String COMPONENT = "sks-simulated-service-controller";

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedLoadBalancers.class);

    private final TenantClients tenants;
    private final Ipv4Block pool;
    private final Clock clock;
    private final Supplier<Set<ClusterKey>> clusters;
    /** By tenant, the pending Services (UIDs) already told why they wait: one Event each while they do. */
    private final Map<ClusterKey, Set<String>> told = new ConcurrentHashMap<>();

    private final ScheduledExecutorService schedule;

    /** @param clusters the tenants to serve: those with simulated pools */
    public SimulatedLoadBalancers(
            TenantClients tenants, Ipv4Block pool, Clock clock, Supplier<Set<ClusterKey>> clusters) {
        this.tenants = tenants;
        this.pool = pool;
        this.clock = clock;
        this.clusters = clusters;
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sks-simulated-load-balancers");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(this::round, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round over every tenant. Never throws (that would end the schedule): a tenant that fails waits a round. */
    void round() {
        Set<ClusterKey> serving = clusters.get();
        told.keySet().retainAll(serving);
        for (ClusterKey cluster : serving) {
            try {
                tenants.client(cluster).ifPresent(tenant -> serve(tenant, cluster));
            } catch (RuntimeException e) {
                LOG.debug(
                        "load balancers of cluster {}/{} wait for the next round: {}",
                        cluster.namespace(),
                        cluster.cluster(),
                        e.getClass().getSimpleName());
            }
        }
    }

    void serve(KubernetesClient tenant, ClusterKey cluster) {
        Map<String, Service> byUid = tenant.services().inAnyNamespace().list().getItems().stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getUid(), Function.identity()));
        LoadBalancerAllocation.Plan plan = LoadBalancerAllocation.plan(
                pool, byUid.values().stream().map(SimulatedLoadBalancers::view).toList());
        plan.assign().forEach((uid, address) -> {
            Service service = byUid.get(uid);
            writeIngress(
                    tenant,
                    service,
                    List.of(new LoadBalancerIngressBuilder().withIp(address).build()));
            LOG.info(
                    "Service {}/{} in cluster {}/{} gets load-balancer address {}",
                    service.getMetadata().getNamespace(),
                    service.getMetadata().getName(),
                    cluster.namespace(),
                    cluster.cluster(),
                    address);
        });
        plan.release().forEach(uid -> writeIngress(tenant, byUid.get(uid), List.of()));
        Set<String> waiting = told.computeIfAbsent(cluster, k -> ConcurrentHashMap.newKeySet());
        Set<String> pendingNow = new HashSet<>();
        for (LoadBalancerAllocation.Service pending : plan.pending()) {
            pendingNow.add(pending.uid());
            if (!waiting.contains(pending.uid())) {
                tellExhausted(tenant, byUid.get(pending.uid()));
                waiting.add(pending.uid());
            }
        }
        waiting.retainAll(pendingNow);
    }

    private static LoadBalancerAllocation.Service view(Service service) {
        boolean wants = service.getSpec() != null
                && "LoadBalancer".equals(service.getSpec().getType())
                && service.getSpec().getLoadBalancerClass() == null;
        List<String> ips = service.getStatus() == null
                        || service.getStatus().getLoadBalancer() == null
                        || service.getStatus().getLoadBalancer().getIngress() == null
                ? List.of()
                : service.getStatus().getLoadBalancer().getIngress().stream()
                        .map(LoadBalancerIngress::getIp)
                        .filter(ip -> ip != null)
                        .toList();
        return new LoadBalancerAllocation.Service(
                service.getMetadata().getUid(),
                service.getMetadata().getNamespace(),
                service.getMetadata().getName(),
                service.getMetadata().getCreationTimestamp(),
                wants,
                ips);
    }

    private static void writeIngress(KubernetesClient tenant, Service service, List<LoadBalancerIngress> ingress) {
        tenant.services()
                .inNamespace(service.getMetadata().getNamespace())
                .withName(service.getMetadata().getName())
                .editStatus(s -> {
                    if (s.getStatus() == null) {
                        s.setStatus(new ServiceStatus());
                    }
                    s.getStatus().setLoadBalancer(new LoadBalancerStatus(ingress));
                    return s;
                });
    }

    private void tellExhausted(KubernetesClient tenant, Service service) {
        String now = Conditions.timestamp(clock.instant());
        tenant.v1()
                .events()
                .inNamespace(service.getMetadata().getNamespace())
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withGenerateName(service.getMetadata().getName() + ".")
                        .withNamespace(service.getMetadata().getNamespace())
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withApiVersion("v1")
                        .withKind("Service")
                        .withNamespace(service.getMetadata().getNamespace())
                        .withName(service.getMetadata().getName())
                        .withUid(service.getMetadata().getUid())
                        .endInvolvedObject()
                        .withType("Warning")
                        .withReason("AddressPoolExhausted")
                        .withMessage("every address of the load-balancer pool " + pool + " (" + pool.size()
                                + ") is in use: the Service stays pending until another LoadBalancer Service is "
                                + "deleted or changes type, or the operator's pool grows")
                        .withNewSource()
                        .withComponent(COMPONENT)
                        .endSource()
                        .withReportingComponent(COMPONENT)
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .build())
                .create();
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}
