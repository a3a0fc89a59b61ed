package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.rendering.RenderedControlPlane;
import dev.operator.sks.rendering.Rollouts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The control plane's workloads as the informers see them now, and only those the cluster controls (owner UID): a
 * same-named object someone else made says nothing about the cluster's progress.
 */
record ObservedControlPlane(
        Optional<StatefulSet> etcd,
        Optional<Service> apiserverService,
        Map<ControlPlaneComponent, KubernetesVersion> versions,
        Set<ControlPlaneComponent> rolledOut,
        Map<ControlPlaneComponent, String> certificateHashes) {

    ObservedControlPlane(
            Optional<StatefulSet> etcd,
            Optional<Service> apiserverService,
            Map<ControlPlaneComponent, KubernetesVersion> versions,
            Set<ControlPlaneComponent> rolledOut) {
        this(etcd, apiserverService, versions, rolledOut, Map.of());
    }

    /**
     * Whether every workload of {@code rendered} has rolled out at the certificates it was rendered with: the pods run
     * with what the Secrets hold now. A rotation takes its next step only then. A workload not seen yet has not.
     */
    boolean settledAt(RenderedControlPlane rendered) {
        Map<ControlPlaneComponent, PodTemplateSpec> templates = Map.of(
                ControlPlaneComponent.ETCD, rendered.etcd().getSpec().getTemplate(),
                ControlPlaneComponent.KUBE_APISERVER,
                        rendered.apiserver().getSpec().getTemplate(),
                ControlPlaneComponent.KUBE_CONTROLLER_MANAGER,
                        rendered.controllerManager().getSpec().getTemplate(),
                ControlPlaneComponent.KUBE_SCHEDULER,
                        rendered.scheduler().getSpec().getTemplate());
        for (var entry : templates.entrySet()) {
            String wanted = certificatesHash(entry.getValue());
            if (!rolledOut.contains(entry.getKey())
                    || wanted == null
                    || !wanted.equals(certificateHashes.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the etcd StatefulSet has a ready member now. */
    boolean etcdServing() {
        return etcd.filter(Rollouts::hasReadyMember).isPresent();
    }

    private static String certificatesHash(PodTemplateSpec template) {
        if (template == null
                || template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null) {
            return null;
        }
        return template.getMetadata().getAnnotations().get(Labels.CERTIFICATES_HASH_ANNOTATION);
    }

    static ObservedControlPlane of(SKSCluster cluster, Context<SKSCluster> context) {
        String name = cluster.getMetadata().getName();
        Map<ControlPlaneComponent, KubernetesVersion> versions = new EnumMap<>(ControlPlaneComponent.class);
        Set<ControlPlaneComponent> rolledOut = EnumSet.noneOf(ControlPlaneComponent.class);
        Map<ControlPlaneComponent, String> hashes = new EnumMap<>(ControlPlaneComponent.class);
        Optional<StatefulSet> etcd = owned(cluster, context, StatefulSet.class, Names.etcdStatefulSet(name));
        etcd.ifPresent(s -> {
            Rollouts.renderedVersion(s).ifPresent(v -> versions.put(ControlPlaneComponent.ETCD, v));
            String hash =
                    certificatesHash(s.getSpec() == null ? null : s.getSpec().getTemplate());
            if (hash != null) {
                hashes.put(ControlPlaneComponent.ETCD, hash);
            }
            if (Rollouts.isRolledOut(s)) {
                rolledOut.add(ControlPlaneComponent.ETCD);
            }
        });
        Map<ControlPlaneComponent, String> deployments = Map.of(
                ControlPlaneComponent.KUBE_APISERVER, Names.apiserverDeployment(name),
                ControlPlaneComponent.KUBE_CONTROLLER_MANAGER, Names.controllerManagerDeployment(name),
                ControlPlaneComponent.KUBE_SCHEDULER, Names.schedulerDeployment(name));
        deployments.forEach((component, deploymentName) -> owned(cluster, context, Deployment.class, deploymentName)
                .ifPresent(d -> {
                    Rollouts.renderedVersion(d).ifPresent(v -> versions.put(component, v));
                    String hash = certificatesHash(
                            d.getSpec() == null ? null : d.getSpec().getTemplate());
                    if (hash != null) {
                        hashes.put(component, hash);
                    }
                    if (Rollouts.isRolledOut(d)) {
                        rolledOut.add(component);
                    }
                }));
        return new ObservedControlPlane(
                etcd,
                owned(cluster, context, Service.class, Names.apiserverService(name)),
                versions,
                rolledOut,
                hashes);
    }

    private static <T extends HasMetadata> Optional<T> owned(
            SKSCluster cluster, Context<SKSCluster> context, Class<T> type, String name) {
        return context.getSecondaryResourcesAsStream(type)
                .filter(o -> name.equals(o.getMetadata().getName()) && Owners.isControlledBy(o, cluster))
                .findFirst();
    }
}
