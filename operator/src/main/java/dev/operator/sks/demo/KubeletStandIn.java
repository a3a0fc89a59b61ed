package dev.operator.sks.demo;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Objects;

/**
 * Where no kubelet runs (a bare API server: the demo, the tests), pods never start. This marks the operator's
 * Deployments and StatefulSets as rolled out and available, as envtest users do, so the rest of the flow can be
 * seen. It never touches objects the operator did not make.
 */
public final class KubeletStandIn implements AutoCloseable {
  private final KubernetesClient client;
  private final List<Watch> watches;

  private KubeletStandIn(KubernetesClient client, String namespace) {
    this.client = client;
    this.watches = List.of(
        client.apps().deployments().inNamespace(namespace).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .watch(new Reacting<>(this::markAvailable)),
        client.apps().statefulSets().inNamespace(namespace).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .watch(new Reacting<>(this::markAvailable)));
  }

  /** Keeps every operator-made workload in {@code namespace} available until closed. */
  public static KubeletStandIn watch(KubernetesClient client, String namespace) {
    return new KubeletStandIn(client, namespace);
  }

  public void markAvailable(Deployment deployment) {
    int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    DeploymentStatus status = new DeploymentStatusBuilder()
        .withObservedGeneration(deployment.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas)
        .withConditions(new DeploymentConditionBuilder().withType("Available").withStatus("True")
            .withReason("MinimumReplicasAvailable").build())
        .build();
    if (!Objects.equals(status, deployment.getStatus())) {
      Deployment patch = client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
          .withName(deployment.getMetadata().getName()).get();
      if (patch != null) {
        patch.setStatus(status);
        client.resource(patch).updateStatus();
      }
    }
  }

  public void markAvailable(StatefulSet statefulSet) {
    int replicas = Objects.requireNonNullElse(statefulSet.getSpec().getReplicas(), 1);
    StatefulSetStatus status = new StatefulSetStatusBuilder()
        .withObservedGeneration(statefulSet.getMetadata().getGeneration())
        .withReplicas(replicas).withReadyReplicas(replicas).withCurrentReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .build();
    if (!Objects.equals(status, statefulSet.getStatus())) {
      StatefulSet patch = client.apps().statefulSets().inNamespace(statefulSet.getMetadata().getNamespace())
          .withName(statefulSet.getMetadata().getName()).get();
      if (patch != null) {
        patch.setStatus(status);
        client.resource(patch).updateStatus();
      }
    }
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
  }

  private static final class Reacting<T> implements Watcher<T> {
    private final java.util.function.Consumer<T> onChange;

    Reacting(java.util.function.Consumer<T> onChange) {
      this.onChange = onChange;
    }

    @Override
    public void eventReceived(Action action, T resource) {
      if (action == Action.ADDED || action == Action.MODIFIED) {
        try {
          onChange.accept(resource);
        } catch (RuntimeException conflictOrGone) {
          // The next event for the object brings it back here.
        }
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      // Closed with the stand-in.
    }
  }
}
