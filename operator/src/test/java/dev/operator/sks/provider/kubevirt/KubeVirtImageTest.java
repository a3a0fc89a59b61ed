package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ImageRejectedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which container disk a KubeVirt machine boots, and which names are refused before any VirtualMachine is made. */
class KubeVirtImageTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "quay.io/capk/ubuntu-2404-container-disk:v1.33.5",
                "quay.io/containerdisks/ubuntu:24.04",
                "registry.example:5000/team/node-image",
                "ubuntu",
                "quay.io/capk/ubuntu-2404-container-disk@sha256:"
                        + "1b49166bd3047c7d818be67cec73f891b12db7e792dbc91809412b6be1c20ec2"
            })
    void aContainerImageReferenceIsBooted(String image) throws Exception {
        assertThat(KubeVirtProvider.image(pool(image), "quay.io/default:1")).isEqualTo(image);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"Linux Ubuntu 24.04 LTS 64-bit", "Quay.io/Capk/Node:v1", "quay.io/capk/node:", "quay.io//node"})
    void aNameThatIsNoContainerImageIsRejectedSayingWhatToSet(String image) {
        assertThatThrownBy(() -> KubeVirtProvider.image(pool(image), "quay.io/default:1"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("'" + image + "' is not a container disk reference")
                .hasMessageContaining("spec.template");
    }

    @Test
    void aPoolThatNamesNoneBootsTheOperatorsDefaultAndWithoutOneIsRejected() throws Exception {
        assertThat(KubeVirtProvider.image(pool(""), "quay.io/default:1")).isEqualTo("quay.io/default:1");
        assertThatThrownBy(() -> KubeVirtProvider.image(pool(""), ""))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("--kubevirt-image");
    }

    private static DesiredPool pool(String image) {
        return new DesiredPool(
                "team-a",
                "nodepool-workers-1234",
                "demo",
                "ch-gva-2",
                1,
                new InstanceType("standard.medium", 2, 4096, 0),
                50,
                image,
                null,
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                Map.of(),
                List.of(),
                "",
                Optional.empty(),
                Optional.empty());
    }
}
