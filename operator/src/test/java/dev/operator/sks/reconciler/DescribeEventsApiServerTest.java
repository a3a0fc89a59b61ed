package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl describe} shows: the transitions of a cluster, a nodepool and a kubeconfig request, read as a
 * user would through the events API, with no key material in any of them.
 */
@SharedApiServer
class DescribeEventsApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;

    @BeforeAll
    static void startOperator() {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @Test
    void describeTellsTheStoryOfEachKind() {
        String namespace = ApiServerSupport.newNamespace(client, "story");
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            apply(namespace, ControlPlaneApiServerTest.cluster("told", "1.33", "ClusterIP"));
            apply(namespace, """
          apiVersion: sks.operator.dev/v1alpha1
          kind: Nodepool
          metadata: {name: told-workers}
          spec: {cluster: told, size: 1, instanceType: standard.medium}
          """);
            apply(namespace, """
          apiVersion: sks.operator.dev/v1alpha1
          kind: KubeconfigRequest
          metadata: {name: told-admin}
          spec: {cluster: told, user: alice, groups: [developers]}
          """);
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                SKSCluster cluster = client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName("told")
                        .get();
                return cluster.getStatus() != null && cluster.getStatus().state == ClusterState.Running;
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(reasons(namespace, "SKSCluster", "told")).contains("Valid", "Issued", "Running");
                assertThat(reasons(namespace, "Nodepool", "told-workers")).contains("Valid");
                // Waiting for the cluster is in the request's conditions: a condition that appears on its way is no
                // news.
                assertThat(reasons(namespace, "KubeconfigRequest", "told-admin"))
                        .contains("Issued");
            });
            KubeconfigRequest request = client.resources(KubeconfigRequest.class)
                    .inNamespace(namespace)
                    .withName("told-admin")
                    .get();
            assertThat(request.getStatus().conditions).isNotEmpty();
            for (Event event : events(namespace)) {
                assertThat(event.getMessage()).doesNotContain("BEGIN", "PRIVATE KEY", "client-key-data");
                assertThat(event.getReason()).matches("[A-Z][A-Za-z]*");
                assertThat(event.getType()).isIn("Normal", "Warning");
                assertThat(event.getSource().getComponent()).isEqualTo("sks-operator");
            }
        }
    }

    private static List<String> reasons(String namespace, String kind, String name) {
        return events(namespace).stream()
                .filter(e -> kind.equals(e.getInvolvedObject().getKind())
                        && name.equals(e.getInvolvedObject().getName()))
                .map(Event::getReason)
                .toList();
    }

    private static List<Event> events(String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems();
    }

    private static void apply(String namespace, String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
