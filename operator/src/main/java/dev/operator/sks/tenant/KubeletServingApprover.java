package dev.operator.sks.tenant;

import dev.operator.sks.join.KubeletServingRequests;
import dev.operator.sks.join.KubeletServingRequests.Decision;
import dev.operator.sks.join.KubeletServingRequests.Verdict;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the kubelet serving-certificate requests in each tenant that has machines of the operator's pools, by
 * {@link KubeletServingRequests}: every {@link #INTERVAL}, on a thread of its own, so a tenant that does not answer
 * never slows a reconcile. The pools tell it which machines they run ({@link #track}).
 */
public final class KubeletServingApprover implements AutoCloseable {
    /** A kubelet waits for its serving certificate; it should not wait long. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(KubeletServingApprover.class);

    private record Machines(ClusterKey cluster, Map<String, List<String>> addressesByNode) {}

    private final TenantClients tenants;
    private final Map<String, Machines> pools = new ConcurrentHashMap<>();
    private final ScheduledExecutorService schedule;

    public KubeletServingApprover(TenantClients tenants) {
        this.tenants = tenants;
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sks-kubelet-serving-approver");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(
                this::decidePending, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The machines of one pool as it last saw them.
     *
     * @param pool namespace/name of the InstancePool
     * @param addressesByNode each machine's Node name and addresses
     */
    public void track(String pool, ClusterKey cluster, Map<String, List<String>> addressesByNode) {
        if (addressesByNode.isEmpty()) {
            pools.remove(pool);
        } else {
            pools.put(pool, new Machines(cluster, Map.copyOf(addressesByNode)));
        }
    }

    public void forget(String pool) {
        pools.remove(pool);
    }

    /**
     * One round over every tenant with tracked machines. Never throws (that would end the schedule): a tenant that
     * does not answer waits for the next round.
     */
    void decidePending() {
        Map<ClusterKey, List<Machines>> byCluster =
                pools.values().stream().collect(Collectors.groupingBy(Machines::cluster));
        byCluster.forEach((cluster, machines) -> {
            try {
                Map<String, List<String>> addresses = new HashMap<>();
                machines.forEach(m -> addresses.putAll(m.addressesByNode()));
                tenants.client(cluster).ifPresent(tenant -> decide(tenant, cluster, addresses));
            } catch (RuntimeException e) {
                LOG.debug(
                        "kubelet serving certificates of cluster {}/{} wait for the next round: {}",
                        cluster.namespace(),
                        cluster.cluster(),
                        e.getClass().getSimpleName());
            }
        });
    }

    private static void decide(KubernetesClient tenant, ClusterKey cluster, Map<String, List<String>> addresses) {
        for (CertificateSigningRequest csr :
                tenant.certificates().v1().certificateSigningRequests().list().getItems()) {
            Decision decision = KubeletServingRequests.decide(csr, addresses);
            String name = csr.getMetadata().getName();
            Optional<CertificateSigningRequestCondition> condition = condition(decision);
            if (condition.isEmpty()) {
                if (!decision.message().isEmpty()) {
                    LOG.debug(
                            "CSR {} in cluster {}/{} left pending: {}",
                            name,
                            cluster.namespace(),
                            cluster.cluster(),
                            decision.message());
                }
                continue;
            }
            var resource =
                    tenant.certificates().v1().certificateSigningRequests().withName(name);
            try {
                if (decision.verdict() == Verdict.APPROVE) {
                    resource.approve(condition.get());
                } else {
                    resource.deny(condition.get());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() == 0) { // the tenant stopped answering: the whole round waits
                    throw e;
                }
                // Decided by someone else meanwhile, or refused for now (a starting API server): the next round sees.
                LOG.debug(
                        "CSR {} in cluster {}/{} not decided this round: HTTP {}",
                        name,
                        cluster.namespace(),
                        cluster.cluster(),
                        e.getCode());
                continue;
            }
            LOG.info(
                    "CSR {} in cluster {}/{} {}: {}",
                    name,
                    cluster.namespace(),
                    cluster.cluster(),
                    decision.verdict() == Verdict.APPROVE ? "approved" : "denied",
                    decision.message());
        }
    }

    private static Optional<CertificateSigningRequestCondition> condition(Decision decision) {
        if (decision.verdict() == Verdict.LEAVE) {
            return Optional.empty();
        }
        return Optional.of(new CertificateSigningRequestConditionBuilder()
                .withType(decision.verdict() == Verdict.APPROVE ? "Approved" : "Denied")
                .withStatus("True")
                .withReason(decision.reason())
                .withMessage(decision.message())
                .build());
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}
