package dev.operator.sks.rendering;

import static dev.operator.sks.rendering.ControlPlaneComponent.ETCD;
import static dev.operator.sks.rendering.ControlPlaneComponent.KUBE_APISERVER;
import static dev.operator.sks.rendering.ControlPlaneComponent.KUBE_CONTROLLER_MANAGER;
import static dev.operator.sks.rendering.ControlPlaneComponent.KUBE_SCHEDULER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.KubernetesVersion;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpgradePlanTest {
    static final KubernetesVersion OLD = Fixtures.V1_32;
    static final KubernetesVersion NEW = Fixtures.V1_33;
    static final Set<ControlPlaneComponent> ALL_READY = EnumSet.allOf(ControlPlaneComponent.class);

    @Test
    void aNewClusterStartsEverythingAtTheTarget() {
        assertThat(UpgradePlan.next(NEW, Map.of(), Set.of())).isEqualTo(ComponentVersions.allAt(NEW));
    }

    @Test
    void aSteadyClusterStaysWhereItIs() {
        Map<ControlPlaneComponent, KubernetesVersion> running = allAt(NEW);

        assertThat(UpgradePlan.next(NEW, running, ALL_READY)).isEqualTo(ComponentVersions.allAt(NEW));
        assertThat(UpgradePlan.isComplete(NEW, running, ALL_READY)).isTrue();
    }

    @Test
    void etcdGoesFirstAndAloneOnTheFirstStep() {
        ComponentVersions step = UpgradePlan.next(NEW, allAt(OLD), ALL_READY);

        assertThat(step).isEqualTo(new ComponentVersions(NEW, OLD, OLD, OLD));
        assertThat(UpgradePlan.isComplete(NEW, allAt(OLD), ALL_READY)).isFalse();
    }

    @Test
    void theApiServerWaitsUntilEtcdIsReadyAtTheTarget() {
        Map<ControlPlaneComponent, KubernetesVersion> etcdRolling =
                Map.of(ETCD, NEW, KUBE_APISERVER, OLD, KUBE_CONTROLLER_MANAGER, OLD, KUBE_SCHEDULER, OLD);

        assertThat(UpgradePlan.next(
                        NEW, etcdRolling, EnumSet.of(KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER)))
                .isEqualTo(new ComponentVersions(NEW, OLD, OLD, OLD));
        assertThat(UpgradePlan.next(NEW, etcdRolling, ALL_READY)).isEqualTo(new ComponentVersions(NEW, NEW, OLD, OLD));
    }

    @Test
    void controllerManagerAndSchedulerWaitUntilTheApiServerIsReadyAtTheTarget() {
        Map<ControlPlaneComponent, KubernetesVersion> apiserverRolling =
                Map.of(ETCD, NEW, KUBE_APISERVER, NEW, KUBE_CONTROLLER_MANAGER, OLD, KUBE_SCHEDULER, OLD);

        assertThat(UpgradePlan.next(NEW, apiserverRolling, EnumSet.of(ETCD, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER)))
                .isEqualTo(new ComponentVersions(NEW, NEW, OLD, OLD));
        assertThat(UpgradePlan.next(NEW, apiserverRolling, ALL_READY)).isEqualTo(ComponentVersions.allAt(NEW));
    }

    @Test
    void theUpgradeIsCompleteOnlyWhenTheLastComponentIsReady() {
        Map<ControlPlaneComponent, KubernetesVersion> allNew = allAt(NEW);

        assertThat(UpgradePlan.isComplete(NEW, allNew, EnumSet.of(ETCD, KUBE_APISERVER, KUBE_CONTROLLER_MANAGER)))
                .isFalse();
        assertThat(UpgradePlan.isComplete(NEW, allNew, ALL_READY)).isTrue();
    }

    @Test
    void aComponentThatDoesNotExistYetStartsAtTheTarget() {
        // The scheduler Deployment was never created (or was deleted) while etcd still runs the old version.
        Map<ControlPlaneComponent, KubernetesVersion> partial =
                Map.of(ETCD, OLD, KUBE_APISERVER, OLD, KUBE_CONTROLLER_MANAGER, OLD);

        assertThat(UpgradePlan.next(NEW, partial, ALL_READY)).isEqualTo(new ComponentVersions(NEW, OLD, OLD, NEW));
    }

    @Test
    void aPatchUpgradeFollowsTheSameOrder() {
        KubernetesVersion patch = KubernetesVersion.of("1.33.3");

        assertThat(UpgradePlan.next(NEW, allAt(patch), ALL_READY))
                .isEqualTo(new ComponentVersions(NEW, patch, patch, patch));
    }

    @Test
    void walkingThePlanToTheEndTakesThreeSteps() {
        Map<ControlPlaneComponent, KubernetesVersion> running = new java.util.EnumMap<>(allAt(OLD));
        int steps = 0;
        while (!UpgradePlan.isComplete(NEW, running, ALL_READY)) {
            ComponentVersions next = UpgradePlan.next(NEW, running, ALL_READY);
            for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
                running.put(component, next.of(component)); // each step rolls out and becomes ready
            }
            steps++;
        }
        assertThat(steps).isEqualTo(3);
    }

    private static Map<ControlPlaneComponent, KubernetesVersion> allAt(KubernetesVersion version) {
        return Map.of(
                ETCD, version, KUBE_APISERVER, version, KUBE_CONTROLLER_MANAGER, version, KUBE_SCHEDULER, version);
    }
}
