package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Level;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.reconciler.cluster.ClusterNames.Parts;
import dev.operator.sks.reconciler.cluster.OwnedObjects.Wanted;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.ComponentVersions;
import dev.operator.sks.rendering.Fixtures;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterNamesTest {
    private static final ComponentVersions VERSIONS = ComponentVersions.allAt(Fixtures.V1_33);
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
        ClusterModel model = Fixtures.model(Fixtures.cluster(level));
        return ClusterNames.wanted(
                model,
                VERSIONS,
                ClusterCertificates.leaves(model, Optional.empty(), KeyAlgorithm.DEFAULT),
                // The autoscaler's kubeconfig is the PKI's: left out, so only the parts differ.
                ClusterCertificates.kubeconfigs(model, KeyAlgorithm.DEFAULT, false),
                parts);
    }
}
