package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Level;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.reconciler.cluster.ClusterNames.Parts;
import dev.operator.sks.reconciler.cluster.OwnedObjects.Wanted;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ComponentVersions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterNamesTest {
    private static final VersionCatalog CATALOG = VersionCatalog.loadDefault();
    private static final ComponentVersions VERSIONS = ComponentVersions.allAt(KubernetesVersion.of("1.33.4"));
    private static final Parts CONTROL_PLANE_ONLY = new Parts(true, false, false, false);

    @Test
    void aStarterWantsItsPkiAndControlPlaneNamesEachOnce() {
        List<Wanted> wanted = wanted(Level.STARTER, CONTROL_PLANE_ONLY);

        assertThat(new HashSet<>(wanted)).hasSameSizeAs(wanted);
        assertThat(wanted)
                .contains(
                        new Wanted(Secret.class, "demo-ca"),
                        new Wanted(ConfigMap.class, "demo-ca-certificates"),
                        new Wanted(StatefulSet.class, "demo-etcd"),
                        new Wanted(Deployment.class, "demo-apiserver"))
                .noneMatch(w -> w.type() == PodDisruptionBudget.class);
    }

    @Test
    void proBudgetsAreWantedOnlyWhereTheyAreServed() {
        assertThat(wanted(Level.PRO, CONTROL_PLANE_ONLY))
                .filteredOn(w -> w.type() == PodDisruptionBudget.class)
                .hasSize(4);
        assertThat(wanted(Level.PRO, new Parts(false, false, false, false)))
                .noneMatch(w -> w.type() == PodDisruptionBudget.class);
    }

    @Test
    void eachPartAddsTheNamesOfItsOwnObjects() {
        List<Wanted> without = wanted(Level.STARTER, CONTROL_PLANE_ONLY);
        List<Wanted> with = wanted(Level.STARTER, new Parts(true, true, true, true));

        assertThat(with).containsAll(without);
        assertThat(with.subList(without.size(), with.size()))
                .containsExactly(
                        new Wanted(Secret.class, "demo-ccm-credentials"),
                        new Wanted(Secret.class, "demo-cluster-autoscaler"),
                        new Wanted(Deployment.class, "demo-cluster-autoscaler"),
                        new Wanted(Secret.class, "demo-etcd-restore"));
    }

    private static List<Wanted> wanted(Level level, Parts parts) {
        ClusterModel model = ClusterModel.from(cluster(level), CATALOG);
        return ClusterNames.wanted(
                model,
                VERSIONS,
                ClusterCertificates.leaves(model, Optional.empty(), KeyAlgorithm.DEFAULT),
                // The autoscaler's kubeconfig is the PKI's: the same kubeconfigs either way, to compare the parts
                // alone.
                ClusterCertificates.kubeconfigs(model, KeyAlgorithm.DEFAULT, false),
                parts);
    }

    private static SKSCluster cluster(Level level) {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace("tenant")
                .withUid("6b0c2a1e-0000-4000-8000-000000000002")
                .build());
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.level = level;
        spec.version = "1.33";
        cluster.setSpec(spec);
        return cluster;
    }
}
