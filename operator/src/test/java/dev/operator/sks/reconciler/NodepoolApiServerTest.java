package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Nodepools through their InstancePools and the simulated provider, against a real API server. */
@SharedApiServer
class NodepoolApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    String namespace;
    ClusterStandIn kubelet;

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
    void clusterReady() {
        namespace = ApiServerSupport.newNamespace(client, "np");
        kubelet = ClusterStandIn.watch(client, namespace);
        apply(ControlPlaneApiServerTest.cluster("pool-host", "1.33", "ClusterIP"));
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName("pool-host")
                                .get(),
                        c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running);
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Test
    void aNodepoolScalesFromZeroToFiftyToThreeKeepingItsOldestMembers() {
        apply(nodepool("workers", 0, "standard.medium"));
        Nodepool empty = awaitNodepool("workers", np -> np.getStatus().state == PoolState.Running);
        InstancePool pool = instancePool(empty);
        assertThat(pool.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("workers"));
        assertThat(pool.getSpec().zone).isEqualTo("ch-gva-2");
        assertThat(pool.getSpec().labels)
                .containsEntry(Labels.NODEPOOL_ID, empty.getStatus().id)
                .containsEntry("role", "worker");
        assertThat(pool.getSpec().taints)
                .singleElement()
                .satisfies(t -> assertThat(t.key).isEqualTo("env"));

        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("workers")
                .scale(50);
        Nodepool fifty = awaitNodepool(
                "workers",
                np -> Integer.valueOf(50).equals(np.getStatus().size) && np.getStatus().state == PoolState.Running);
        // No tenant API server answers here: fifty machines run, but no Node is known Ready, and Ready says so.
        assertThat(fifty.getStatus().readyNodes).isZero();
        assertThat(Conditions.find(fifty.getStatus().conditions, Conditions.READY))
                .hasValueSatisfying(ready -> {
                    assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
                    assertThat(ready.getMessage())
                            .contains("50 of 50 instances running")
                            .doesNotContain("null");
                });
        List<String> oldestThree = instancePool(fifty).getStatus().instances.stream()
                .limit(3)
                .map(i -> i.name)
                .toList();

        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("workers")
                .scale(3);
        Nodepool three = awaitNodepool(
                "workers",
                np -> Integer.valueOf(3).equals(np.getStatus().size) && np.getStatus().state == PoolState.Running);
        assertThat(instancePool(three).getStatus().instances)
                .extracting(i -> i.name)
                .containsExactlyElementsOf(oldestThree);
    }

    @Test
    void evictionRemovesExactlyTheNamedInstancesAndTheAnnotationIsCleared() {
        apply(nodepool("evictable", 3, "standard.medium"));
        Nodepool running = awaitNodepool("evictable", np -> np.getStatus().state == PoolState.Running);
        List<String> before = instancePool(running).getStatus().instances.stream()
                .map(i -> i.name)
                .toList();
        String victim = before.get(1);

        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("evictable"), np -> {
                    np.getMetadata().getAnnotations().put(Labels.EVICT_ANNOTATION, victim);
                    return np;
                });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Nodepool np = client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .withName("evictable")
                    .get();
            return np.getMetadata().getAnnotations() == null
                    || !np.getMetadata().getAnnotations().containsKey(Labels.EVICT_ANNOTATION);
        });
        Nodepool after = awaitNodepool(
                "evictable",
                np -> Integer.valueOf(3).equals(np.getStatus().size) && np.getStatus().state == PoolState.Running);
        List<String> names = instancePool(after).getStatus().instances.stream()
                .map(i -> i.name)
                .toList();
        assertThat(names)
                .doesNotContain(victim)
                .contains(before.get(0), before.get(2))
                .hasSize(3);

        // Evicting while lowering the size removes exactly the named instance and nothing grows back.
        String second = names.get(0);
        ApiServerSupport.edit(
                client.resources(Nodepool.class).inNamespace(namespace).withName("evictable"), np -> {
                    np.getMetadata().getAnnotations().put(Labels.EVICT_ANNOTATION, second);
                    np.getSpec().size = 2;
                    return np;
                });
        Nodepool two = awaitNodepool(
                "evictable",
                np -> Integer.valueOf(2).equals(np.getStatus().size)
                        && np.getStatus().state == PoolState.Running
                        && (np.getMetadata().getAnnotations() == null
                                || !np.getMetadata().getAnnotations().containsKey(Labels.EVICT_ANNOTATION)));
        assertThat(instancePool(two).getStatus().instances)
                .extracting(i -> i.name)
                .containsExactlyInAnyOrder(names.get(1), names.get(2));
    }

    @Test
    void anInstanceTypeTooSmallGetsNoInstancePool() {
        apply(nodepool("tiny", 2, "standard.tiny"));
        Nodepool refused = awaitNodepool("tiny", np -> np.getStatus().state == PoolState.Error);
        assertThat(Conditions.find(refused.getStatus().conditions, Conditions.ACCEPTED)
                        .orElseThrow()
                        .getReason())
                .isEqualTo("InstanceTypeTooSmall");
        assertThat(client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void deletingANodepoolRemovesItsInstancePoolAndMachines() {
        apply(nodepool("doomed", 2, "standard.medium"));
        Nodepool running = awaitNodepool("doomed", np -> np.getStatus().state == PoolState.Running);
        String poolName = running.getStatus().instancePool;
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("doomed")
                .delete();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName("doomed")
                                .get()
                        == null);
        assertThat(client.resources(InstancePool.class)
                        .inNamespace(namespace)
                        .withName(poolName)
                        .get())
                .isNull();
    }

    @Test
    void theUserDataJoinsTheClusterWithTheNodepoolsLabelsAndTaints() {
        apply(nodepool("joining", 1, "standard.medium"));
        Nodepool running = awaitNodepool("joining", np -> np.getStatus().state == PoolState.Running);
        String userData = new String(
                java.util.Base64.getDecoder()
                        .decode(client.secrets()
                                .inNamespace(namespace)
                                .withName(Names.userData(running.getStatus().instancePool))
                                .get()
                                .getData()
                                .get("userData")),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(userData)
                .startsWith("#cloud-config")
                .contains(Labels.NODEPOOL_ID + "=" + running.getStatus().id)
                .contains("role=worker")
                .contains("env=demo:NoSchedule");
        Map<?, ?> cloudConfig = client.getKubernetesSerialization().unmarshal(userData, Map.class);
        assertThat(cloudConfig.get("runcmd")).isEqualTo(List.of(List.of("/usr/local/sbin/sks-node-setup")));
        List<Instance> instances = instancePool(running).getStatus().instances;
        assertThat(instances).singleElement().satisfies(i -> assertThat(i.state).isEqualTo("Running"));
    }

    static String nodepool(String name, int size, String instanceType) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: %s, annotations: {note: test}}
        spec:
          cluster: pool-host
          size: %d
          instanceType: %s
          labels: {role: worker}
          taints: [{key: env, value: demo, effect: NoSchedule}]
        """.formatted(name, size, instanceType);
    }

    private InstancePool instancePool(Nodepool nodepool) {
        return client.resources(InstancePool.class)
                .inNamespace(namespace)
                .withName(nodepool.getStatus().instancePool)
                .get();
    }

    private void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private Nodepool awaitNodepool(String name, Predicate<Nodepool> condition) {
        try {
            return await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> client.resources(Nodepool.class)
                                    .inNamespace(namespace)
                                    .withName(name)
                                    .get(),
                            np -> np != null && np.getStatus() != null && condition.test(np));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Nodepool np = client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            String pools = client.getKubernetesSerialization()
                    .asYaml(client.resources(InstancePool.class).inNamespace(namespace).list().getItems().stream()
                            .map(InstancePool::getStatus)
                            .toList());
            throw new AssertionError(
                    "nodepool " + name + " status: "
                            + client.getKubernetesSerialization().asYaml(np == null ? null : np.getStatus())
                            + "\ninstance pools: " + pools,
                    e);
        }
    }
}
