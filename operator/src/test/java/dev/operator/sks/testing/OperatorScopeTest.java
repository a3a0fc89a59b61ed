package dev.operator.sks.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.runtime.SksOperator;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * On the shared API server a class's operator reconciles in the namespaces the class made and nowhere else: not in
 * another class's (made without this class's newNamespace), nor in those of its own finished tests.
 */
@SharedApiServer
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorScopeTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String finishedTestsNamespace;
    String namespace;

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

    @BeforeEach
    void namespace() {
        namespace = ApiServerSupport.newNamespace(client, "scope");
    }

    @Test
    @Order(1)
    void anotherClasssNamespaceIsNotReconciled() {
        String another = ApiServerSupport.createNamespace(client, "another");
        create(another, "theirs");
        create(namespace, "ours");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster(namespace, "ours").getStatus() != null);
        assertUntouchedFor(Duration.ofSeconds(2), another, "theirs");
        finishedTestsNamespace = namespace;
    }

    @Test
    @Order(2)
    void aFinishedTestsNamespaceIsNoLongerReconciled() {
        assertThat(finishedTestsNamespace).as("the first test ran").isNotNull();
        create(finishedTestsNamespace, "late");
        create(namespace, "now");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster(namespace, "now").getStatus() != null);
        assertUntouchedFor(Duration.ofSeconds(2), finishedTestsNamespace, "late");
    }

    /** A zone no operator offers: a watching operator reports it in status at once, and does nothing else. */
    private static void create(String namespace, String name) {
        client.resource((HasMetadata) client.getKubernetesSerialization().unmarshal("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: xx-moo-1, version: "1.33"}
        """.formatted(name)))
                .inNamespace(namespace)
                .create();
    }

    private static SKSCluster cluster(String namespace, String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static void assertUntouchedFor(Duration duration, String namespace, String name) {
        await().during(duration).atMost(duration.plusSeconds(5)).until(() -> {
            SKSCluster cluster = cluster(namespace, name);
            return cluster.getStatus() == null
                    && cluster.getMetadata().getFinalizers().isEmpty();
        });
    }
}
