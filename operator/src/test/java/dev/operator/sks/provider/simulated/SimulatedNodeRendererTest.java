package dev.operator.sks.provider.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedNodeRendererTest {
    private static final ProviderInstance INSTANCE =
            new ProviderInstance("id-1", "pool-abc12", InstanceState.Running, List.of("10.0.0.7"));
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theNodeCarriesThePoolsLabelsTaintsTheUninitializedTaintAndTheInstanceTypesCapacityAndIsReady() {
        Node node = SimulatedNodeRenderer.render(
                INSTANCE,
                Map.of("role", "worker", Labels.NODEPOOL_ID, "np-1"),
                List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE)),
                new InstanceType("standard.medium", 2, 4096, 0),
                KubernetesVersion.of("1.33.2"),
                NOW);

        assertThat(node.getMetadata().getName()).isEqualTo("pool-abc12");
        assertThat(node.getMetadata().getLabels())
                .containsEntry("role", "worker")
                .containsEntry(Labels.NODEPOOL_ID, "np-1")
                .containsEntry("kubernetes.io/hostname", "pool-abc12")
                // The kubelet's own platform labels: the addons' DaemonSets and coredns select kubernetes.io/os.
                .containsEntry("kubernetes.io/os", "linux")
                .containsEntry("kubernetes.io/arch", "amd64")
                .doesNotContainKey("node.kubernetes.io/instance-type"); // the cloud controller's to set
        // A kubelet with an external cloud provider registers tainted uninitialized, besides the pool's taints.
        assertThat(node.getSpec().getTaints())
                .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactly(
                        "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule", "env=demo:NoSchedule");
        assertThat(node.getStatus().getCapacity()).containsOnlyKeys("cpu", "memory", "pods");
        assertThat(Quantity.getAmountInBytes(node.getStatus().getCapacity().get("memory"))
                        .longValue())
                .isEqualTo(4L << 30);
        assertThat(node.getStatus().getCapacity().get("cpu")).isEqualTo(new Quantity("2"));
        assertThat(node.getStatus().getAllocatable()).isEqualTo(node.getStatus().getCapacity());
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.33.2");
        assertThat(SimulatedNodeRenderer.isReady(node)).isTrue();
    }

    @Test
    void theHeartbeatLeaseIsTheKubeletsOwnedByItsNode() {
        Lease lease = SimulatedNodeRenderer.lease("pool-abc12", "uid-1", NOW);
        assertThat(lease.getMetadata().getNamespace()).isEqualTo("kube-node-lease");
        assertThat(lease.getMetadata().getName()).isEqualTo("pool-abc12");
        assertThat(lease.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Node");
            assertThat(owner.getName()).isEqualTo("pool-abc12");
            assertThat(owner.getUid()).isEqualTo("uid-1");
        });
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("pool-abc12");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(NOW);
    }

    @Test
    void gpusAreCapacityOnlyWhenTheTypeHasThem() {
        Node node = SimulatedNodeRenderer.render(
                INSTANCE,
                Map.of(),
                List.of(),
                new InstanceType("gpu.small", 8, 16384, 1),
                KubernetesVersion.of("1.33"),
                NOW);
        assertThat(node.getStatus().getCapacity()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(node.getSpec().getTaints())
                .extracting(t -> t.getKey())
                .containsExactly(NodeInitialization.UNINITIALIZED_TAINT);
    }
}
