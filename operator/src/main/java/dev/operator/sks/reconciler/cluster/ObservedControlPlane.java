package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.ControlPlaneComponent;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.rendering.Rollouts;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
        Set<ControlPlaneComponent> rolledOut) {

    static ObservedControlPlane of(SKSCluster cluster, Context<SKSCluster> context) {
        String name = cluster.getMetadata().getName();
        Map<ControlPlaneComponent, KubernetesVersion> versions = new EnumMap<>(ControlPlaneComponent.class);
        Set<ControlPlaneComponent> rolledOut = EnumSet.noneOf(ControlPlaneComponent.class);
        Optional<StatefulSet> etcd = owned(cluster, context, StatefulSet.class, Names.etcdStatefulSet(name));
        etcd.ifPresent(s -> {
            Rollouts.renderedVersion(s).ifPresent(v -> versions.put(ControlPlaneComponent.ETCD, v));
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
                    if (Rollouts.isRolledOut(d)) {
                        rolledOut.add(component);
                    }
                }));
        return new ObservedControlPlane(
                etcd, owned(cluster, context, Service.class, Names.apiserverService(name)), versions, rolledOut);
    }

    private static <T extends HasMetadata> Optional<T> owned(
            SKSCluster cluster, Context<SKSCluster> context, Class<T> type, String name) {
        return context.getSecondaryResourcesAsStream(type)
                .filter(o -> name.equals(o.getMetadata().getName()) && Owners.isControlledBy(o, cluster))
                .findFirst();
    }
}
