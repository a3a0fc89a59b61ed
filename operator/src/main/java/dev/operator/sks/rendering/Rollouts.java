package dev.operator.sks.rendering;

import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.Objects;
import java.util.Optional;

/** What {@link UpgradePlan} needs to know about observed workloads: their version, and whether they rolled out. */
public final class Rollouts {
    private Rollouts() {}

    /** The Kubernetes patch a workload was rendered for, from its {@link Labels#KUBERNETES_VERSION_ANNOTATION}. */
    public static Optional<KubernetesVersion> renderedVersion(HasMetadata workload) {
        if (workload == null
                || workload.getMetadata() == null
                || workload.getMetadata().getAnnotations() == null) {
            return Optional.empty();
        }
        return KubernetesVersion.parse(
                        workload.getMetadata().getAnnotations().get(Labels.KUBERNETES_VERSION_ANNOTATION))
                .filter(KubernetesVersion::isPatch);
    }

    /** Like {@code kubectl rollout status}: the controller saw the latest spec, every pod is updated and available. */
    public static boolean isRolledOut(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus();
        if (status == null || !observedLatest(deployment, status.getObservedGeneration())) {
            return false;
        }
        int replicas = replicas(
                deployment.getSpec() == null ? null : deployment.getSpec().getReplicas());
        return orZero(status.getUpdatedReplicas()) == replicas
                && orZero(status.getReplicas()) == replicas
                && orZero(status.getAvailableReplicas()) == replicas;
    }

    /** Every member runs the current revision and is ready. */
    public static boolean isRolledOut(StatefulSet statefulSet) {
        StatefulSetStatus status = statefulSet.getStatus();
        if (status == null || !observedLatest(statefulSet, status.getObservedGeneration())) {
            return false;
        }
        int replicas = replicas(
                statefulSet.getSpec() == null ? null : statefulSet.getSpec().getReplicas());
        boolean sameRevision = status.getUpdateRevision() == null
                || Objects.equals(status.getCurrentRevision(), status.getUpdateRevision());
        return sameRevision
                && orZero(status.getUpdatedReplicas()) == replicas
                && orZero(status.getReadyReplicas()) == replicas;
    }

    /** At least one member is ready now: etcd serves, whatever the revision. */
    public static boolean hasReadyMember(StatefulSet statefulSet) {
        StatefulSetStatus status = statefulSet.getStatus();
        return status != null && orZero(status.getReadyReplicas()) > 0;
    }

    private static boolean observedLatest(HasMetadata workload, Long observedGeneration) {
        Long generation =
                workload.getMetadata() == null ? null : workload.getMetadata().getGeneration();
        return generation == null || (observedGeneration != null && observedGeneration >= generation);
    }

    private static int replicas(Integer specReplicas) {
        return specReplicas == null ? 1 : specReplicas;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
