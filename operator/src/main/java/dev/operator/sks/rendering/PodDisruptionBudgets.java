package dev.operator.sks.rendering;

import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/** policy/v1 PodDisruptionBudgets of pro control planes; the reconciler applies them only where policy/v1 is served. */
final class PodDisruptionBudgets {
    private PodDisruptionBudgets() {}

    static PodDisruptionBudget minAvailable(
            ControlPlaneInputs inputs, String workload, ControlPlaneComponent component, int minAvailable) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(Owners.metadata(inputs.owner(), Names.podDisruptionBudget(workload), component))
                .withNewSpec()
                .withMinAvailable(new IntOrString(minAvailable))
                .withSelector(PodParts.selector(inputs, component))
                .endSpec()
                .build();
    }
}
