package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.catalog.InstanceType;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.testing.ApiServerSupport;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A management cluster without KubeVirt: the provider says so, and deleting finds nothing left. */
// A server of its own, not @SharedApiServer: KubeVirt must be absent, and other classes install its CRDs there.
@EnableKubeAPIServer
class KubeVirtAbsentTest {
    @KubeConfig
    static String kubeconfig;

    @Test
    void withoutKubeVirtTheProviderSaysSoClearly() throws ProviderException {
        try (KubernetesClient client = ApiServerSupport.client(kubeconfig)) {
            KubeVirtProvider provider =
                    new KubeVirtProvider(client, "quay.io/containerdisks/ubuntu:24.04", Clock.systemUTC());
            DesiredPool desired = new DesiredPool(
                    "default",
                    "nodepool-workers-1",
                    "demo",
                    "ch-gva-2",
                    2,
                    new InstanceType("standard.medium", 2, 4096, 0),
                    50,
                    "",
                    "pool",
                    List.of(),
                    List.of(),
                    List.of(),
                    Optional.empty(),
                    Map.of(),
                    List.of(),
                    "",
                    Optional.of("nodepool-workers-1-user-data"),
                    Optional.empty());

            assertThatThrownBy(() -> provider.reconcile(desired))
                    .isInstanceOf(ProviderException.class)
                    .hasMessage("KubeVirt is not installed in the management cluster: it does not serve kubevirt.io/v1 "
                            + "VirtualMachines, which the kubevirt provider makes instances with");
            assertThatThrownBy(() -> provider.evict(desired, List.of("x")))
                    .hasMessageContaining("KubeVirt is not installed");
            assertThat(provider.delete(desired))
                    .as("no KubeVirt, no machines left")
                    .isTrue();
        }
    }
}
