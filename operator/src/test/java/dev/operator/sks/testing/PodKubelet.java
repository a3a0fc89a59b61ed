package dev.operator.sks.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of a kubelet a tenant's simulated Nodes lack, for tests on a {@link TenantApiServer}: a pod bound to a Node
 * is marked Running and Ready at once, and a terminating pod (one the Eviction API deleted with its grace period) is
 * finalized with grace period 0, as a kubelet does once its containers stopped. Without it no pod would count as
 * available for a PodDisruptionBudget, and an evicted pod would stay Terminating for ever.
 *
 * <p>It also counts, at every pod change it sees, the Ready and not terminating pods labelled {@code app=<tracked>},
 * keeping the fewest: whether a budget held through a drain, as the tenant's own informer saw it.
 */
public final class PodKubelet implements AutoCloseable {
    private final SharedIndexInformer<Pod> informer;
    private final String trackedApp;
    private final Map<String, Boolean> tracked = new ConcurrentHashMap<>();
    private final AtomicInteger fewestReady = new AtomicInteger(Integer.MAX_VALUE);
    private volatile boolean counting;

    private PodKubelet(KubernetesClient tenant, String trackedApp) {
        this.trackedApp = trackedApp;
        this.informer = tenant.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                handle(tenant, pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                handle(tenant, pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                tracked.remove(pod.getMetadata().getUid());
                count();
            }
        });
    }

    /** Plays the kubelet for every pod of {@code tenant}, tracking the pods labelled {@code app=<trackedApp>}. */
    public static PodKubelet start(KubernetesClient tenant, String trackedApp) {
        return new PodKubelet(tenant, trackedApp);
    }

    /** From now on, keeps the fewest Ready tracked pods seen. */
    public void startCounting() {
        fewestReady.set(Integer.MAX_VALUE);
        counting = true;
        count();
    }

    /** The fewest Ready, not terminating tracked pods seen since {@link #startCounting} ({@code MAX_VALUE}: none). */
    public int fewestReady() {
        return fewestReady.get();
    }

    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void handle(KubernetesClient tenant, Pod pod) {
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        if (pod.getMetadata().getLabels() != null
                && trackedApp.equals(pod.getMetadata().getLabels().get("app"))) {
            if (isReady(pod) && !terminating) {
                tracked.put(pod.getMetadata().getUid(), true);
            } else {
                tracked.remove(pod.getMetadata().getUid());
            }
            count();
        }
        try {
            if (terminating) {
                tenant.pods()
                        .inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName())
                        .withGracePeriod(0)
                        .delete();
            } else if (pod.getSpec().getNodeName() != null && !isReady(pod)) {
                runs(tenant, pod);
            }
        } catch (KubernetesClientException gone) {
            // Deleted or changed meanwhile: the next event tells.
        }
    }

    private void count() {
        if (counting) {
            fewestReady.accumulateAndGet(tracked.size(), Math::min);
        }
    }

    private static void runs(KubernetesClient tenant, Pod pod) {
        String now = Instant.now().toString();
        List<PodCondition> conditions = List.of("PodScheduled", "Initialized", "ContainersReady", "Ready").stream()
                .map(type -> new PodConditionBuilder()
                        .withType(type)
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build())
                .toList();
        pod.getStatus().setPhase("Running");
        pod.getStatus().setConditions(conditions);
        pod.getStatus().setStartTime(now);
        tenant.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .updateStatus();
    }

    @Override
    public void close() {
        informer.close();
    }
}
