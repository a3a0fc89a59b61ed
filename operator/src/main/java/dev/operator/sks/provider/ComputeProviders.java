package dev.operator.sks.provider;

import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.provider.exoscale.ExoscaleCcmCredentials;
import dev.operator.sks.provider.exoscale.ExoscaleProvider;
import dev.operator.sks.provider.exoscale.SecretCredentialsSource;
import dev.operator.sks.provider.kubevirt.KubeVirtCcmCredentials;
import dev.operator.sks.provider.kubevirt.KubeVirtProvider;
import dev.operator.sks.provider.simulated.SimulatedProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Optional;

/** Makes the compute provider {@code SKS_PROVIDER} selects. */
public final class ComputeProviders {
    private ComputeProviders() {}

    /** The provider of {@code config.provider()}. */
    public static ComputeProvider create(OperatorConfig config, KubernetesClient client, Clock clock) {
        return create(config.provider(), config, client, clock);
    }

    /**
     * @param client the management cluster: KubeVirt makes VirtualMachines there, Exoscale reads its credentials
     *     Secret from there (on each use, so a rotated key needs no restart)
     */
    public static ComputeProvider create(String name, OperatorConfig config, KubernetesClient client, Clock clock) {
        return switch (name) {
            case SimulatedProvider.NAME -> new SimulatedProvider(clock, config.simulatedInstanceDelay());
            case KubeVirtProvider.NAME -> new KubeVirtProvider(client, config.kubevirtImage(), clock);
            case ExoscaleProvider.NAME ->
                new ExoscaleProvider(
                        config.exoscaleApiEndpoint(),
                        exoscaleCredentials(config, client, clock),
                        config.exoscaleTemplate(),
                        clock);
            default ->
                throw new IllegalArgumentException(
                        "compute provider '" + name + "' is not one of " + OperatorConfig.PROVIDERS);
        };
    }

    /**
     * Where clusters' cloud controllers get credentials of their own: on Exoscale, API keys from its IAM (with the
     * operator's key); on KubeVirt, a ServiceAccount token of the management cluster, limited to the cluster's
     * namespace. The simulated provider's cloud controller is the operator itself and needs none.
     */
    public static Optional<CloudControllerCredentials> cloudControllerCredentials(
            OperatorConfig config, KubernetesClient client, Clock clock) {
        return switch (config.provider()) {
            case ExoscaleProvider.NAME ->
                Optional.of(new ExoscaleCcmCredentials(
                        config.exoscaleApiEndpoint(), exoscaleCredentials(config, client, clock), clock));
            case KubeVirtProvider.NAME ->
                Optional.of(new KubeVirtCcmCredentials(client, Optional.of(config.kubevirtInfraServer()), clock));
            default -> Optional.empty();
        };
    }

    private static SecretCredentialsSource exoscaleCredentials(
            OperatorConfig config, KubernetesClient client, Clock clock) {
        return new SecretCredentialsSource(
                client, config.exoscaleCredentialsNamespace(), config.exoscaleCredentialsSecret(), clock);
    }
}
