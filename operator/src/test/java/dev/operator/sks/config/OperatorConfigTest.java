package dev.operator.sks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

    @Test
    void defaultsServeAllNamespacesOnPort8080WithTheSevenZones() {
        OperatorConfig config = OperatorConfig.parse(new String[0], Map.of());
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.watchesAllNamespaces()).isTrue();
        assertThat(config.provider()).isEqualTo("simulated");
        assertThat(config.zones())
                .containsExactly("at-vie-1", "at-vie-2", "bg-sof-1", "ch-dk-2", "ch-gva-2", "de-fra-1", "de-muc-1");
        assertThat(config.leaderElection()).isFalse();
    }

    @Test
    void environmentVariablesConfigureAndFlagsWin() {
        Map<String, String> env = Map.of(
                "SKS_HTTP_PORT",
                "9090",
                "SKS_WATCH_NAMESPACES",
                "team-a, team-b",
                "SKS_ZONES",
                "ch-gva-2",
                "SKS_LEADER_ELECTION",
                "true",
                "POD_NAMESPACE",
                "sks-system",
                "POD_NAME",
                "op-1");
        OperatorConfig config =
                OperatorConfig.parse(new String[] {"--http-port=9191", "--zones", "de-fra-1,at-vie-1"}, env);
        assertThat(config.httpPort()).isEqualTo(9191);
        assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(config.zones()).containsExactly("de-fra-1", "at-vie-1");
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaseNamespace()).isEqualTo("sks-system");
        assertThat(config.identity()).isEqualTo("op-1");
        assertThat(config.simulatedInstanceDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theAutoscalerProviderServesOn8086AtTheOperatorsServiceUnlessTold() {
        OperatorConfig defaults = OperatorConfig.parse(new String[0], Map.of("POD_NAMESPACE", "sks-system"));
        assertThat(defaults.autoscalerGrpcPort()).isEqualTo(8086);
        assertThat(defaults.autoscalerGrpcAddress()).isEqualTo("sks-operator.sks-system.svc:8086");
        assertThat(defaults.operatorNamespace()).isEqualTo("sks-system");
        assertThat(defaults.servesAutoscalers()).isTrue();
        OperatorConfig told = OperatorConfig.parse(
                new String[] {"--autoscaler-grpc-address=sks-autoscaler.ops.svc:9000"},
                Map.of("SKS_AUTOSCALER_GRPC_PORT", "9000"));
        assertThat(told.autoscalerGrpcPort()).isEqualTo(9000);
        assertThat(told.autoscalerGrpcAddress()).isEqualTo("sks-autoscaler.ops.svc:9000");
        assertThat(OperatorConfig.parse(new String[] {"--autoscaler-grpc-port=-1"}, Map.of())
                        .servesAutoscalers())
                .isFalse();
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--autoscaler-grpc-port=-2"}, Map.of()))
                .hasMessageContaining("SKS_AUTOSCALER_GRPC_PORT");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--autoscaler-grpc-port=x"}, Map.of()))
                .hasMessageContaining("--autoscaler-grpc-port");
    }

    @Test
    void badSettingsNameTheirFlagOrVariable() {
        assertThatThrownBy(() -> OperatorConfig.parse(new String[0], Map.of("SKS_HTTP_PORT", "eighty")))
                .hasMessageContaining("SKS_HTTP_PORT");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--provider=aws"}, Map.of()))
                .hasMessageContaining("provider 'aws'");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--colour=blue"}, Map.of()))
                .hasMessageContaining("unknown flag --colour");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--zones="}, Map.of()))
                .hasMessageContaining("at least one zone");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[0], Map.of("SKS_LEADER_ELECTION", "yes")))
                .hasMessageContaining("SKS_LEADER_ELECTION");
    }

    @Test
    void theImageFlagOfTheProviderInUseOverridesTheCatalog() {
        Map<String, String> env = Map.of("SKS_KUBEVIRT_IMAGE", "registry.example/node:v1.33.4");
        assertThat(OperatorConfig.parse(new String[] {"--provider=kubevirt"}, env)
                        .nodeImageOverride())
                .contains("registry.example/node:v1.33.4");
        assertThat(OperatorConfig.parse(new String[] {"--provider=exoscale"}, env)
                        .nodeImageOverride())
                .isEmpty();
        assertThat(OperatorConfig.parse(new String[] {"--provider=exoscale", "--exoscale-template=SKS node 1.33"}, env)
                        .nodeImageOverride())
                .contains("SKS node 1.33");
        assertThat(OperatorConfig.parse(new String[0], env).nodeImageOverride()).isEmpty();
    }

    @Test
    void providerSettingsHaveDefaultsAndTheCredentialsSecretLivesInTheOperatorsNamespace() {
        OperatorConfig defaults = OperatorConfig.parse(new String[0], Map.of("POD_NAMESPACE", "sks-system"));
        assertThat(OperatorConfig.PROVIDERS).containsExactly("simulated", "kubevirt", "exoscale");
        assertThat(defaults.exoscaleApiEndpoint()).isEqualTo("https://api-{zone}.exoscale.com/v2");
        assertThat(defaults.exoscaleCredentialsNamespace()).isEqualTo("sks-system");
        assertThat(defaults.exoscaleCredentialsSecret()).isEqualTo("exoscale-credentials");
        // Unset: pools boot the version catalog's image for their cluster's minor.
        assertThat(defaults.exoscaleTemplate()).isEmpty();
        assertThat(defaults.kubevirtImage()).isEmpty();
        assertThat(defaults.nodeImageOverride()).isEmpty();

        OperatorConfig exoscale = OperatorConfig.parse(
                new String[] {"--provider=exoscale"},
                Map.of(
                        "SKS_EXOSCALE_CREDENTIALS_SECRET",
                        "vault/exo-api",
                        "SKS_EXOSCALE_API_ENDPOINT",
                        "http://localhost/v2"));
        assertThat(exoscale.provider()).isEqualTo("exoscale");
        assertThat(exoscale.exoscaleCredentialsNamespace()).isEqualTo("vault");
        assertThat(exoscale.exoscaleCredentialsSecret()).isEqualTo("exo-api");
        assertThat(OperatorConfig.parse(new String[] {"--provider", "kubevirt"}, Map.of())
                        .provider())
                .isEqualTo("kubevirt");
        assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--exoscale-api-endpoint=ftp://x"}, Map.of()))
                .hasMessageContaining("SKS_EXOSCALE_API_ENDPOINT");
    }

    @Test
    void theSimulatedLoadBalancerPoolIsADocumentationRangeByDefaultAndMustBeACidr() {
        assertThat(OperatorConfig.defaults().simulatedLoadBalancerAddresses()).hasToString("198.51.100.0/24");
        assertThat(OperatorConfig.parse(
                                new String[0], Map.of("SKS_SIMULATED_LOAD_BALANCER_ADDRESSES", "203.0.113.0/28"))
                        .simulatedLoadBalancerAddresses()
                        .size())
                .isEqualTo(14);
        assertThatThrownBy(() -> OperatorConfig.parse(
                        new String[] {"--simulated-load-balancer-addresses=203.0.113.5/28"}, Map.of()))
                .hasMessageContaining("SKS_SIMULATED_LOAD_BALANCER_ADDRESSES")
                .hasMessageContaining("203.0.113.0/28");
    }

    @Test
    void theKubeVirtCloudControllersServerDefaultsToTheOperatorsAndMustBeHttps() {
        assertThat(OperatorConfig.parse(new String[0], Map.of()).kubevirtInfraServer())
                .isEmpty();
        assertThat(OperatorConfig.parse(new String[0], Map.of("SKS_KUBEVIRT_INFRA_SERVER", "https://mgmt.example:6443"))
                        .kubevirtInfraServer())
                .isEqualTo("https://mgmt.example:6443");
        assertThatThrownBy(() ->
                        OperatorConfig.parse(new String[] {"--kubevirt-infra-server=mgmt.example:6443"}, Map.of()))
                .hasMessageContaining("SKS_KUBEVIRT_INFRA_SERVER");
    }

    @Test
    void usageListsEverySetting() {
        for (OperatorConfig.Setting setting : OperatorConfig.Setting.values()) {
            assertThat(OperatorConfig.usage()).contains("--" + setting.flag).contains(setting.env);
        }
    }
}
