package dev.operator.sks.reconciler.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;

/** APIs a management cluster may not serve: discovered, never assumed. */
final class OptionalApis {
    private OptionalApis() {}

    static boolean podDisruptionBudgetsServed(KubernetesClient client) {
        return client.supports("policy/v1", "PodDisruptionBudget");
    }
}
