package dev.operator.sks.provider.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeInitializationTest {
    private static final ProviderInstance INSTANCE =
            new ProviderInstance("id-1", "pool-abc12", InstanceState.Running, List.of("10.0.0.7"));
    private static final InstanceType TYPE = new InstanceType("standard.medium", 2, 4096, 0);

    private static Node registered() {
        return SimulatedNodeRenderer.render(
                INSTANCE,
                Map.of("role", "worker"),
                List.of(),
                TYPE,
                KubernetesVersion.of("1.33.2"),
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void theKubeletRegistersTaintedWithoutProviderIdAddressesOrInstanceType() {
        Node node = registered();
        assertThat(NodeInitialization.uninitialized(node)).isTrue();
        assertThat(node.getSpec().getProviderID()).isNull();
        assertThat(node.getStatus().getAddresses()).isEmpty();
        assertThat(node.getMetadata().getLabels()).doesNotContainKey(NodeInitialization.INSTANCE_TYPE_LABEL);
    }

    @Test
    void anUninitializedNodeGetsProviderIdAddressesLabelsAndLosesOnlyTheTaint() {
        Node node = new NodeBuilder(registered())
                .editSpec()
                .addNewTaint()
                .withKey("env")
                .withValue("demo")
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .build();

        NodeInitialization.Step step = NodeInitialization.plan(node, INSTANCE, "nodepool-workers-1", "ch-gva-2", TYPE);

        assertThat(step).isInstanceOf(NodeInitialization.Initialize.class);
        NodeInitialization.Initialize initialize = (NodeInitialization.Initialize) step;
        Node done = initialize.initialized(initialize.withAddresses(node));
        assertThat(done.getSpec().getProviderID()).isEqualTo("simulated://nodepool-workers-1/id-1");
        assertThat(done.getStatus().getAddresses())
                .extracting(a -> a.getType() + "=" + a.getAddress())
                .containsExactly("InternalIP=10.0.0.7", "Hostname=pool-abc12");
        assertThat(done.getMetadata().getLabels())
                .containsEntry("role", "worker")
                .containsEntry("topology.kubernetes.io/zone", "ch-gva-2")
                .containsEntry("topology.kubernetes.io/region", "ch-gva-2")
                .containsEntry("node.kubernetes.io/instance-type", "standard.medium");
        assertThat(done.getSpec().getTaints()).extracting(t -> t.getKey()).containsExactly("env");
        assertThat(NodeInitialization.uninitialized(done)).isFalse();
        assertThat(NodeInitialization.plan(done, INSTANCE, "nodepool-workers-1", "ch-gva-2", TYPE))
                .isInstanceOf(NodeInitialization.Initialized.class);
    }

    @Test
    void aNodeNamingAnotherMachineIsLeftAlone() {
        Node node = new NodeBuilder(registered())
                .editSpec()
                .withProviderID("exoscale://another")
                .endSpec()
                .build();
        assertThat(NodeInitialization.plan(node, INSTANCE, "nodepool-workers-1", "ch-gva-2", TYPE))
                .isEqualTo(new NodeInitialization.Foreign("exoscale://another"));
    }
}
