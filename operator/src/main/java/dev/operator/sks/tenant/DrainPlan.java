package dev.operator.sks.tenant;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which pods of a Node a drain evicts, which it waits for, and which it leaves, as {@code kubectl drain} decides: pure,
 * over the pods bound to the Node.
 *
 * <ul>
 *   <li>left: DaemonSet pods (their controller puts them back on the Node at once, cordoned or not, and they go with
 *       the machine), mirror pods (the API server's copy of a static pod: only the kubelet's manifest can remove
 *       it), and finished pods (Succeeded or Failed: nothing runs);</li>
 *   <li>awaited: pods already terminating (someone evicted or deleted them: evicting again changes nothing);</li>
 *   <li>evicted: every other pod, including pods no controller manages (the machine is going: they would be lost
 *       either way, and the Eviction API still lets a PodDisruptionBudget hold them).</li>
 * </ul>
 */
public final class DrainPlan {
    /** The annotation the kubelet gives the API server's copy of a static pod. */
    public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    /** Why a pod is left on the Node. */
    public enum Skip {
        DAEMON_SET,
        MIRROR,
        FINISHED
    }

    public record PodRef(String namespace, String name) {
        static PodRef of(Pod pod) {
            return new PodRef(
                    pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    public record Skipped(PodRef pod, Skip why) {}

    /**
     * @param evict the pods to evict, by namespace and name
     * @param terminating the pods already on their way out, waited for
     * @param skipped the pods the drain leaves
     */
    public record Plan(List<PodRef> evict, List<PodRef> terminating, List<Skipped> skipped) {
        public Plan {
            evict = List.copyOf(evict);
            terminating = List.copyOf(terminating);
            skipped = List.copyOf(skipped);
        }

        /** The pods that must still leave the Node before it is drained. */
        public int podsLeft() {
            return evict.size() + terminating.size();
        }

        public boolean drained() {
            return podsLeft() == 0;
        }
    }

    private DrainPlan() {}

    public static Plan of(List<Pod> podsOnNode) {
        List<PodRef> evict = new ArrayList<>();
        List<PodRef> terminating = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<Pod> sorted = new ArrayList<>(podsOnNode);
        // A stable order, so the details and the eviction order do not depend on how the list came.
        sorted.sort(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                .thenComparing(p -> p.getMetadata().getName()));
        for (Pod pod : sorted) {
            PodRef ref = PodRef.of(pod);
            if (isMirror(pod)) {
                skipped.add(new Skipped(ref, Skip.MIRROR));
            } else if (isDaemonSetPod(pod)) {
                skipped.add(new Skipped(ref, Skip.DAEMON_SET));
            } else if (isFinished(pod)) {
                skipped.add(new Skipped(ref, Skip.FINISHED));
            } else if (pod.getMetadata().getDeletionTimestamp() != null) {
                terminating.add(ref);
            } else {
                evict.add(ref);
            }
        }
        return new Plan(evict, terminating, skipped);
    }

    static boolean isMirror(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(MIRROR_ANNOTATION);
    }

    /** Controlled by a DaemonSet (its controller owner reference), as kubectl drain tells them. */
    static boolean isDaemonSetPod(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners != null
                && owners.stream()
                        .anyMatch(o -> Boolean.TRUE.equals(o.getController())
                                && "DaemonSet".equals(o.getKind())
                                && o.getApiVersion() != null
                                && o.getApiVersion().startsWith("apps/"));
    }

    static boolean isFinished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }
}
