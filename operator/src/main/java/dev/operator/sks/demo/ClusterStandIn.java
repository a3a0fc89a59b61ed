package dev.operator.sks.demo;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
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
 * Where no kubelet and no cloud run (a bare API server: the demo, the tests), pods never start and load balancers
 * never get an address. This stands in for both: it marks the operator's Deployments and StatefulSets as rolled
 * out and available, as envtest users do, and gives the operator's LoadBalancer Services a documentation-range
 * address (192.0.2.x, RFC 5737, which routes nowhere), so the rest of the flow can be seen. It never touches
 * objects the operator did not make.
 */
public final class ClusterStandIn implements AutoCloseable {
    private final KubernetesClient client;
    private final List<Watch> watches;

    private ClusterStandIn(KubernetesClient client, String namespace) {
        this.client = client;
        this.watches = List.of(
                client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .watch(new Reacting<>(this::markAvailable)),
                client.apps()
                        .statefulSets()
                        .inNamespace(namespace)
                        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .watch(new Reacting<>(this::markAvailable)),
                client.services()
                        .inNamespace(namespace)
                        .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .watch(new Reacting<>(this::assignLoadBalancerAddress)));
    }

    public void assignLoadBalancerAddress(Service service) {
        boolean hasAddress = service.getStatus() != null
                && service.getStatus().getLoadBalancer() != null
                && !service.getStatus().getLoadBalancer().getIngress().isEmpty();
        if (!"LoadBalancer".equals(service.getSpec().getType()) || hasAddress) {
            return;
        }
        Service current = client.services()
                .inNamespace(service.getMetadata().getNamespace())
                .withName(service.getMetadata().getName())
                .get();
        if (current != null) {
            int last = 1 + Math.floorMod(service.getMetadata().getName().hashCode(), 250);
            current.setStatus(new ServiceStatusBuilder()
                    .withNewLoadBalancer()
                    .addNewIngress()
                    .withIp("192.0.2." + last)
                    .endIngress()
                    .endLoadBalancer()
                    .build());
            client.resource(current).updateStatus();
        }
    }

    /** Keeps every operator-made workload in {@code namespace} available until closed. */
    public static ClusterStandIn watch(KubernetesClient client, String namespace) {
        return new ClusterStandIn(client, namespace);
    }

    public void markAvailable(Deployment deployment) {
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withConditions(new DeploymentConditionBuilder()
                        .withType("Available")
                        .withStatus("True")
                        .withReason("MinimumReplicasAvailable")
                        .build())
                .build();
        if (!Objects.equals(status, deployment.getStatus())) {
            Deployment patch = client.apps()
                    .deployments()
                    .inNamespace(deployment.getMetadata().getNamespace())
                    .withName(deployment.getMetadata().getName())
                    .get();
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
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withCurrentReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .build();
        if (!Objects.equals(status, statefulSet.getStatus())) {
            StatefulSet patch = client.apps()
                    .statefulSets()
                    .inNamespace(statefulSet.getMetadata().getNamespace())
                    .withName(statefulSet.getMetadata().getName())
                    .get();
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
