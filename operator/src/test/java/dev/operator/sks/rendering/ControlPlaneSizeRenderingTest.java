package dev.operator.sks.rendering;

import static dev.operator.sks.rendering.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.ControlPlaneSize;
import dev.operator.sks.sizing.ControlPlaneSizes;
import dev.operator.sks.sizing.SizeProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The size in ControlPlaneInputs is what the API server, etcd, controller-manager and scheduler run with. */
class ControlPlaneSizeRenderingTest {

    @Test
    void proAtSRendersExactlyWhatProRenderedBeforeSizes() {
        ControlPlaneInputs before = Fixtures.inputs(Fixtures.pro());
        ControlPlaneInputs atS = sized(ControlPlaneSize.S);
        assertThat(before.size()).isEqualTo(ControlPlaneSizes.of(ControlPlaneSize.S));
        assertThat(ControlPlaneRenderer.render(atS).all())
                .isEqualTo(ControlPlaneRenderer.render(before).all());
        Deployment apiserver = ApiserverRenderer.deployment(atS);
        assertThat(apiserver.getSpec().getReplicas()).isEqualTo(2);
        assertThat(requests(container(apiserver, "kube-apiserver")))
                .isEqualTo(Map.of("cpu", "250m", "memory", "512Mi"));
        assertThat(requests(EtcdRenderer.statefulSet(atS)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)))
                .isEqualTo(Map.of("cpu", "100m", "memory", "256Mi"));
    }

    @Test
    void aLargerSizeRaisesTheApiServersReplicasAndEveryComponentsRequests() {
        ControlPlaneInputs large = sized(ControlPlaneSize.L);
        Deployment apiserver = ApiserverRenderer.deployment(large);
        assertThat(apiserver.getSpec().getReplicas()).isEqualTo(3);
        assertThat(requests(container(apiserver, "kube-apiserver"))).isEqualTo(Map.of("cpu", "1", "memory", "2Gi"));
        // konnectivity-server tells agents how many servers to connect to: every API server pod has one.
        assertThat(single(container(apiserver, "konnectivity-server").getArgs(), "server-count"))
                .isEqualTo("3");
        StatefulSet etcd = EtcdRenderer.statefulSet(large);
        assertThat(etcd.getSpec().getReplicas()).as("etcd keeps three members").isEqualTo(3);
        assertThat(requests(
                        etcd.getSpec().getTemplate().getSpec().getContainers().get(0)))
                .isEqualTo(Map.of("cpu", "500m", "memory", "1Gi"));
        Deployment controllerManager = ControllerManagerRenderer.deployment(large);
        assertThat(controllerManager.getSpec().getReplicas())
                .as("one leads, one waits")
                .isEqualTo(2);
        assertThat(requests(controllerManager
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)))
                .isEqualTo(Map.of("cpu", "400m", "memory", "512Mi"));
        assertThat(requests(SchedulerRenderer.deployment(large)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)))
                .isEqualTo(Map.of("cpu", "200m", "memory", "256Mi"));
    }

    @Test
    void aResizeRollsWithoutDowntime() {
        ControlPlaneInputs xl = sized(ControlPlaneSize.XL);
        Deployment apiserver = ApiserverRenderer.deployment(xl);
        assertThat(apiserver.getSpec().getReplicas()).isEqualTo(4);
        // A new pod is up before an old one goes, and a drain never takes the last one.
        assertThat(apiserver
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal())
                .isZero();
        assertThat(apiserver
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxSurge()
                        .getIntVal())
                .isEqualTo(1);
        assertThat(ApiserverRenderer.podDisruptionBudget(xl)
                        .orElseThrow()
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(1);
        // etcd rolls one member at a time and keeps quorum through drains.
        assertThat(EtcdRenderer.statefulSet(xl).getSpec().getUpdateStrategy().getType())
                .isEqualTo("RollingUpdate");
        assertThat(EtcdRenderer.podDisruptionBudget(xl)
                        .orElseThrow()
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(2);
        // Only the requests and the replicas differ: selectors (immutable) and everything else stay.
        Deployment atS = ApiserverRenderer.deployment(sized(ControlPlaneSize.S));
        assertThat(apiserver.getSpec().getSelector()).isEqualTo(atS.getSpec().getSelector());
        assertThat(container(apiserver, "kube-apiserver").getArgs())
                .isEqualTo(container(atS, "kube-apiserver").getArgs());
    }

    @Test
    void starterStaysAtItsFixedProfile() {
        ControlPlaneInputs starter = Fixtures.inputs(Fixtures.starter());
        assertThat(starter.size()).isSameAs(ControlPlaneSizes.STARTER);
        Deployment apiserver = ApiserverRenderer.deployment(starter);
        assertThat(apiserver.getSpec().getReplicas()).isEqualTo(1);
        assertThat(requests(container(apiserver, "kube-apiserver")))
                .isEqualTo(Map.of("cpu", "250m", "memory", "512Mi"));
        assertThat(ApiserverRenderer.podDisruptionBudget(starter)).isEmpty();
        assertThat(requests(EtcdRenderer.statefulSet(starter)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)))
                .isEqualTo(Map.of("cpu", "100m", "memory", "256Mi"));
    }

    private static ControlPlaneInputs sized(ControlPlaneSize size) {
        ControlPlaneInputs pro = Fixtures.inputs(Fixtures.pro());
        SizeProfile profile = ControlPlaneSizes.of(size);
        assertThat(profile.size()).isEqualTo(Optional.of(size));
        return new ControlPlaneInputs(
                pro.model(), pro.versions(), pro.endpointHost(), pro.certificateHashes(), profile);
    }

    private static Container container(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, String> requests(Container container) {
        Map<String, Quantity> requests = container.getResources().getRequests();
        return Map.of(
                "cpu",
                requests.get("cpu").toString(),
                "memory",
                requests.get("memory").toString());
    }
}
