package dev.operator.sks.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.provider.exoscale.ExoscaleProvider;
import dev.operator.sks.provider.kubevirt.KubeVirtProvider;
import dev.operator.sks.provider.simulated.SimulatedProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ComputeProvidersTest {
    KubernetesClient client;

    @Test
    void sksProviderSelectsTheProvider() {
        for (String name : OperatorConfig.PROVIDERS) {
            OperatorConfig config = OperatorConfig.parse(new String[] {"--provider=" + name}, Map.of());
            ComputeProvider provider = ComputeProviders.create(config, client, Clock.systemUTC());
            assertThat(provider.name()).isEqualTo(name);
        }
        OperatorConfig defaults = OperatorConfig.defaults();
        assertThat(ComputeProviders.create(defaults, client, Clock.systemUTC())).isInstanceOf(SimulatedProvider.class);
        assertThat(ComputeProviders.create("kubevirt", defaults, client, Clock.systemUTC()))
                .isInstanceOf(KubeVirtProvider.class);
        assertThat(ComputeProviders.create("exoscale", defaults, client, Clock.systemUTC()))
                .isInstanceOf(ExoscaleProvider.class);
        assertThatThrownBy(() -> ComputeProviders.create("aws", defaults, client, Clock.systemUTC()))
                .hasMessageContaining("'aws' is not one of [simulated, kubevirt, exoscale]");
    }

    @Test
    void exoscaleWithoutItsCredentialsSecretSaysWhichSecretIsMissing() {
        OperatorConfig config =
                OperatorConfig.parse(new String[] {"--provider=exoscale"}, Map.of("POD_NAMESPACE", "sks-system"));
        ComputeProvider provider = ComputeProviders.create(config, client, Clock.systemUTC());
        assertThatThrownBy(() -> provider.reconcile(new DesiredPool(
                        "team-a",
                        "p",
                        "demo",
                        "ch-gva-2",
                        1,
                        ComputeProviderContract.STANDARD_MEDIUM,
                        50,
                        "",
                        "",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "",
                        null,
                        null)))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("Secret sks-system/exoscale-credentials");
    }
}
