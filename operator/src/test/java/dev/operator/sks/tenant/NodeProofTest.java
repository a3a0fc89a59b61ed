package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

class NodeProofTest {
    private static final NodeProof.Machine MACHINE = new NodeProof.Machine("pool-abc12", "4f1c-id");

    private static Node node(String name, String providerId) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withProviderID(providerId)
                .endSpec()
                .build();
    }

    @Test
    void aNodeIsAMachinesByItsNameAndAProviderIdNamingNoOtherMachine() {
        assertThat(NodeProof.isNodeOf(node("pool-abc12", null), MACHINE)).isTrue();
        assertThat(NodeProof.isNodeOf(node("pool-abc12", "exoscale://4f1c-id"), MACHINE))
                .isTrue();
        assertThat(NodeProof.isNodeOf(node("pool-abc12", "simulated://nodepool-x/4f1c-id"), MACHINE))
                .isTrue();
        assertThat(NodeProof.isNodeOf(node("pool-abc12", "kubevirt://pool-abc12"), MACHINE))
                .isTrue();
    }

    @Test
    void anotherNameOrAnotherMachineIsNotProof() {
        assertThat(NodeProof.isNodeOf(node("pool-xyz99", null), MACHINE)).isFalse();
        assertThat(NodeProof.isNodeOf(node("pool-abc12", "exoscale://other-id"), MACHINE))
                .isFalse();
        assertThat(NodeProof.isNodeOf(node("pool-abc12", "exoscale://"), MACHINE))
                .isFalse();
    }
}
