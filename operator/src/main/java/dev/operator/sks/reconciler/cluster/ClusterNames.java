package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Names;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Kubeconfig;
import dev.operator.sks.reconciler.cluster.ClusterCertificates.Leaf;
import dev.operator.sks.reconciler.cluster.OwnedObjects.Wanted;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ComponentVersions;
import dev.operator.sks.rendering.ControlPlaneInputs;
import dev.operator.sks.rendering.ControlPlaneRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every name a cluster's objects take in its namespace: each is checked to be free or the cluster's own before
 * anything is made, so a name someone else took stops the cluster before it writes a thing.
 */
final class ClusterNames {
    private ClusterNames() {}

    /** What the cluster runs besides its control plane and PKI, each with objects of its own. */
    record Parts(
            boolean podDisruptionBudgets, boolean ccmCredentials, boolean clusterAutoscaler, boolean etcdRestore) {}

    static List<Wanted> wanted(
            ClusterModel model,
            ComponentVersions versions,
            List<Leaf> leaves,
            List<Kubeconfig> kubeconfigs,
            Parts parts) {
        String name = model.name();
        List<Wanted> wanted = new ArrayList<>();
        CertificateSecrets.secretNames(name, leaves, kubeconfigs).forEach(s -> wanted.add(new Wanted(Secret.class, s)));
        wanted.add(new Wanted(ConfigMap.class, Names.caCertificates(name)));
        ControlPlaneInputs draft = new ControlPlaneInputs(model, versions, Optional.empty(), Map.of());
        ControlPlaneRenderer.names(draft).stream()
                .filter(n -> parts.podDisruptionBudgets() || n.type() != PodDisruptionBudget.class)
                .forEach(n -> wanted.add(new Wanted(n.type(), n.name())));
        if (parts.ccmCredentials()) {
            wanted.add(new Wanted(Secret.class, Names.ccmCredentials(name)));
        }
        if (parts.clusterAutoscaler()) {
            wanted.addAll(ClusterAutoscaler.wanted(name));
        }
        if (parts.etcdRestore()) {
            wanted.add(new Wanted(Secret.class, Names.etcdRestore(name)));
        }
        return List.copyOf(wanted);
    }
}
