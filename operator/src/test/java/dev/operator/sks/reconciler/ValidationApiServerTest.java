package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator in-process against a real API server: what the schema lets through but the operator refuses is
 * reported in conditions, one bad resource does not stop the others, and references wait for their cluster.
 */
@SharedApiServer
class ValidationApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    String namespace;

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

    @BeforeEach
    void namespace() {
        namespace = ApiServerSupport.newNamespace(client, "validation");
    }

    @Test
    void aZoneTheOperatorDoesNotOfferIsReported() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: moon}
        spec: {zone: xx-moo-1, version: "1.33"}
        """);
        Condition accepted = awaitCondition(
                () -> cluster("moon").getStatus() == null
                        ? null
                        : cluster("moon").getStatus().conditions,
                Conditions.ACCEPTED,
                "False");
        assertThat(accepted.getReason()).isEqualTo("ZoneNotOffered");
        assertThat(accepted.getMessage()).contains("xx-moo-1").contains("ch-gva-2");
        assertThat(accepted.getObservedGeneration()).isEqualTo(1L);
        assertThat(cluster("moon").getStatus().state).isEqualTo(ClusterState.Error);
    }

    @Test
    void aVersionOutsideTheCatalogIsReportedAndFixingItRecovers() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: future}
        spec: {zone: ch-gva-2, version: "1.99"}
        """);
        Condition accepted = awaitCondition(() -> statusConditions(cluster("future")), Conditions.ACCEPTED, "False");
        assertThat(accepted.getReason()).isEqualTo("VersionNotSupported");
        assertThat(accepted.getMessage()).contains("1.99").contains("1.33");

        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName("future"), c -> {
                    c.getSpec().version = "1.33";
                    return c;
                });
        Condition fixed = awaitCondition(() -> statusConditions(cluster("future")), Conditions.ACCEPTED, "True");
        assertThat(fixed.getObservedGeneration()).isEqualTo(2L);
        assertThat(cluster("future").getStatus().state).isNotEqualTo(ClusterState.Error);
    }

    @Test
    void proCannotGoBackToStarterNorMoveZones() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: tiered}
        spec: {zone: ch-gva-2, version: "1.33", level: pro}
        """);
        awaitCondition(() -> statusConditions(cluster("tiered")), Conditions.ACCEPTED, "True");
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName("tiered"), c -> {
                    c.getSpec().level = dev.operator.sks.api.Level.STARTER;
                    c.getSpec().zone = "de-fra-1";
                    return c;
                });
        Condition refused = awaitCondition(() -> statusConditions(cluster("tiered")), Conditions.ACCEPTED, "False");
        assertThat(refused.getMessage()).contains("zone cannot change").contains("pro back to starter");
        assertThat(cluster("tiered").getStatus().zone).isEqualTo("ch-gva-2");
    }

    @Test
    void aNodepoolWaitsForItsClusterAndRejectsSmallInstanceTypes() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: early}
        spec: {cluster: later, size: 2, instanceType: standard.medium}
        """);
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: small}
        spec: {cluster: later, size: 2, instanceType: standard.tiny}
        """);
        Condition missing = awaitCondition(() -> statusConditions(nodepool("early")), Conditions.ACCEPTED, "False");
        assertThat(missing.getReason()).isEqualTo("ClusterNotFound");
        assertThat(nodepool("early").getStatus().id)
                .isEqualTo(nodepool("early").getMetadata().getUid());

        Condition tooSmall = awaitCondition(() -> statusConditions(nodepool("small")), Conditions.ACCEPTED, "False");
        assertThat(tooSmall.getReason()).isEqualTo("InstanceTypeTooSmall");
        assertThat(nodepool("small").getStatus().state).isEqualTo(PoolState.Error);

        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: later}
        spec: {zone: ch-gva-2, version: "1.33"}
        """);
        awaitCondition(() -> statusConditions(nodepool("early")), Conditions.ACCEPTED, "True");
        assertThat(nodepool("early").getStatus().instancePool)
                .isEqualTo("nodepool-early-" + nodepool("early").getMetadata().getUid());
    }

    @Test
    void aKubeconfigRequestForAMissingClusterSaysSo() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: KubeconfigRequest
        metadata: {name: orphan}
        spec: {cluster: nowhere, user: alice}
        """);
        Condition ready = awaitCondition(
                () -> {
                    KubeconfigRequest request = client.resources(KubeconfigRequest.class)
                            .inNamespace(namespace)
                            .withName("orphan")
                            .get();
                    return request.getStatus() == null ? null : request.getStatus().conditions;
                },
                Conditions.READY,
                "False");
        assertThat(ready.getReason()).isEqualTo("ClusterNotFound");
        assertThat(ready.getMessage()).contains("nowhere");
    }

    @Test
    void aBadResourceDoesNotStopTheOthers() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: bad}
        spec: {zone: zz-top-9, version: "1.10"}
        """);
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: good}
        spec: {zone: at-vie-1, version: "1.32.8"}
        """);
        awaitCondition(() -> statusConditions(cluster("good")), Conditions.ACCEPTED, "True");
        Condition bad = awaitCondition(() -> statusConditions(cluster("bad")), Conditions.ACCEPTED, "False");
        assertThat(bad.getMessage()).contains("zz-top-9").contains("1.10");
        String version = cluster("bad").getMetadata().getResourceVersion();
        // Refused once, the resource is not reconciled again and again: its resourceVersion stays put.
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> cluster("bad").getMetadata().getResourceVersion().equals(version));
    }

    private void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private SKSCluster cluster(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private Nodepool nodepool(String name) {
        return client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static List<Condition> statusConditions(SKSCluster cluster) {
        return cluster == null || cluster.getStatus() == null ? null : cluster.getStatus().conditions;
    }

    private static List<Condition> statusConditions(Nodepool nodepool) {
        return nodepool == null || nodepool.getStatus() == null ? null : nodepool.getStatus().conditions;
    }

    private static Condition awaitCondition(Supplier<List<Condition>> conditions, String type, String status) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> conditions.get() == null
                                ? null
                                : Conditions.find(conditions.get(), type)
                                        .filter(c -> status.equals(c.getStatus()))
                                        .orElse(null),
                        c -> c != null);
    }
}
