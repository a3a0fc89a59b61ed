package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A hand edit to an object the operator owns is put back as soon as the informer sees it, and told. */
@SharedApiServer
class ClusterDriftApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;

    @BeforeAll
    static void startOperator() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @Test
    void handEditsToTheApiServerAndEtcdAreRestoredAndTold() {
        String namespace = ApiServerSupport.newNamespace(client, "drift");
        client.resource((HasMetadata) client.getKubernetesSerialization()
                        .unmarshal(ControlPlaneApiServerTest.cluster("d", "1.33", "ClusterIP")))
                .inNamespace(namespace)
                .create();
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                SKSCluster c = client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName("d")
                        .get();
                return c.getStatus() != null && c.getStatus().state == ClusterState.Running;
            });
            Deployment apiserver = client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(Names.apiserverDeployment("d"))
                    .get();
            int replicas = apiserver.getSpec().getReplicas();
            List<String> args = List.copyOf(apiserver
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getArgs());
            StatefulSet etcd = client.apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withName(Names.etcdStatefulSet("d"))
                    .get();
            String etcdImage = etcd.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getImage();

            ApiServerSupport.edit(
                    client.apps().deployments().inNamespace(namespace).withName(Names.apiserverDeployment("d")), d -> {
                        d.getSpec().setReplicas(replicas + 4);
                        Container container = d.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0);
                        List<String> edited = new ArrayList<>(container.getArgs());
                        edited.set(0, "--v=9");
                        container.setArgs(edited);
                        return d;
                    });
            ApiServerSupport.edit(
                    client.apps().statefulSets().inNamespace(namespace).withName(Names.etcdStatefulSet("d")), s -> {
                        s.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .setImage("registry.example/etcd:by-hand");
                        return s;
                    });

            // No resync period runs here: the informer event of the edit is what brings the operator back.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Deployment restored = client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(Names.apiserverDeployment("d"))
                        .get();
                assertThat(restored.getSpec().getReplicas()).isEqualTo(replicas);
                assertThat(restored.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getArgs())
                        .isEqualTo(args);
                assertThat(client.apps()
                                .statefulSets()
                                .inNamespace(namespace)
                                .withName(Names.etcdStatefulSet("d"))
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getImage())
                        .isEqualTo(etcdImage);
            });
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(client.v1()
                                    .events()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems())
                            .filteredOn(e -> "DriftRepaired".equals(e.getReason()))
                            .extracting(e -> e.getMessage())
                            .anySatisfy(m -> assertThat(m)
                                    .startsWith("restored Deployment d-apiserver, which was changed by hand"))
                            .anySatisfy(m -> assertThat(m)
                                    .startsWith("restored StatefulSet d-etcd, which was changed by hand")));
        }
    }
}
