package dev.operator.sks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.etcd.EtcdException;
import dev.operator.sks.provider.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reconcile errors are counted by kind and a reason from a closed set, never by message. */
class ReconcileErrorsTest {

    @Test
    void exceptionsMapToBoundedReasonsThroughWrappers() {
        assertThat(ReconcileErrors.reason(new KubernetesClientException("x", 409, null)))
                .isEqualTo("Conflict");
        assertThat(ReconcileErrors.reason(new KubernetesClientException("x", 403, null)))
                .isEqualTo("Forbidden");
        assertThat(ReconcileErrors.reason(new KubernetesClientException("x", 503, null)))
                .isEqualTo("ApiServerError");
        assertThat(ReconcileErrors.reason(new KubernetesClientException("down", new IOException("refused"))))
                .isEqualTo("ApiServerUnreachable");
        assertThat(ReconcileErrors.reason(new RuntimeException(new ProviderException("quota for 10.0.0.1"))))
                .isEqualTo("ProviderError");
        assertThat(ReconcileErrors.reason(new IllegalStateException(new EtcdException("no leader"))))
                .isEqualTo("EtcdError");
        assertThat(ReconcileErrors.reason(new NullPointerException("secret-name")))
                .isEqualTo("Internal");
        assertThat(ReconcileErrors.REASONS)
                .contains("Conflict", "Forbidden", "ApiServerError", "ProviderError", "EtcdError", "Internal");
    }

    @Test
    void aFailedReconcileCountsByKindAndReasonAndStillReachesJosdk() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int[] delegated = {0};
        OperatorMetrics metrics = new OperatorMetrics(
                new Metrics() {
                    @Override
                    public void failedReconciliation(
                            io.fabric8.kubernetes.api.model.HasMetadata resource,
                            Exception exception,
                            Map<String, Object> metadata) {
                        delegated[0]++;
                    }
                },
                registry);
        dev.operator.sks.api.Nodepool pool = new dev.operator.sks.api.Nodepool();
        metrics.failedReconciliation(pool, new KubernetesClientException("x", 409, null), Map.of());

        assertThat(registry.get(FleetMetrics.RECONCILE_ERRORS)
                        .tags("kind", "Nodepool", "reason", "Conflict")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(FleetMetrics.RECONCILE_ERRORS)
                        .tags("kind", "SKSCluster", "reason", "Conflict")
                        .counter()
                        .count())
                .isZero();
        assertThat(delegated[0]).isEqualTo(1);
        assertThat(registry.get(FleetMetrics.LEADER).gauge().value()).isZero();
        metrics.leading(true);
        assertThat(registry.get(FleetMetrics.LEADER).gauge().value()).isEqualTo(1);
    }
}
