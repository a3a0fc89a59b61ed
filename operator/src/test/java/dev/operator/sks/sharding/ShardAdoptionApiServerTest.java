package dev.operator.sks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Turning sharding on over objects an unsharded operator wrote: they lack the shard label, so a sharded replica's
 * informers, which select it, do not see them. The replica adopts what it controls (a controller reference to the
 * cluster's, pool's or request's UID) by relabelling it in place, the same objects with the same UIDs, and leaves alone
 * what it does not control, even an object that carries the operator's managed-by label. Unsharded, nothing the
 * operator writes carries the label.
 */
@SharedApiServer
class ShardAdoptionApiServerTest {
    static final int SHARDS = 3;
    static final List<Class<? extends HasMetadata>> KINDS = List.of(
            Secret.class, ConfigMap.class, Service.class, StatefulSet.class, Deployment.class, InstancePool.class);

    @KubeConfig
    static String kubeconfig;

    KubernetesClient client;
    SksOperator operator;

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void aShardedReplicaAdoptsWhatAnUnshardedOneWroteAndOnlyThat() {
        client = ApiServerSupport.client(kubeconfig);
        String namespace = ApiServerSupport.newNamespace(client, "adopt");
        int shard = Shards.of(namespace, SHARDS);

        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
        create(namespace, SKSCluster.class, """
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: old}
                spec: {zone: ch-gva-2, version: "1.33", cni: none, controlPlane: {exposure: ClusterIP}}
                """);
        create(namespace, Nodepool.class, """
                apiVersion: sks.operator.dev/v1alpha1
                kind: Nodepool
                metadata: {name: old-pool}
                spec: {cluster: old, size: 1, instanceType: standard.medium}
                """);
        create(namespace, KubeconfigRequest.class, """
                apiVersion: sks.operator.dev/v1alpha1
                kind: KubeconfigRequest
                metadata: {name: old-admin}
                spec: {cluster: old, user: admin, groups: [system:masters], ttlSeconds: 86400}
                """);
        // Someone else's Secret that says it is the operator's: a label anyone can set is no ownership.
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("looks-like-ours")
                        .withNamespace(namespace)
                        .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
                        .endMetadata()
                        .withStringData(Map.of("k", "v"))
                        .build())
                .create();

        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> written(namespace));
        List<HasMetadata> before = owned(namespace);
        operator.close();
        operator = null;
        // Unsharded, the operator writes exactly what it wrote before sharding existed: no shard label anywhere.
        assertThat(before)
                .noneMatch(o -> o.getMetadata().getLabels() != null
                        && o.getMetadata().getLabels().containsKey(Labels.SHARD));

        OperatorConfig sharded = OperatorConfig.parse(
                new String[] {
                    "--http-port=0",
                    "--simulated-instance-delay=PT0S",
                    "--idle-starter-deletion=PT0S",
                    "--shards=" + SHARDS,
                    "--shard-index=" + shard
                },
                Map.of());
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(sharded));

        String label = Integer.toString(shard);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(owned(namespace))
                        .allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                                .as("%s %s", o.getKind(), o.getMetadata().getName())
                                .containsEntry(Labels.SHARD, label)));
        // Adopted in place, not made again: every object the unsharded operator wrote is still there, same UID.
        assertThat(uids(owned(namespace))).containsAll(uids(before));
        // And now in the replica's caches, which select the label.
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(names(operator.cachedSecondaries(Secret.class)))
                        .containsAll(names(
                                before.stream().filter(Secret.class::isInstance).toList()))
                        .doesNotContain("looks-like-ours"));
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName("looks-like-ours")
                        .get()
                        .getMetadata()
                        .getLabels())
                .doesNotContainKey(Labels.SHARD);
    }

    private <T extends HasMetadata> void create(String namespace, Class<T> type, String yaml) {
        client.resource(ApiServerSupport.load(client, type, yaml))
                .inNamespace(namespace)
                .create();
    }

    /**
     * The cluster's control plane (its PKI Secrets, etcd StatefulSet, three Deployments) and the pool's InstancePool
     * exist. (The join and kubeconfig Secrets wait for a Ready cluster, which needs a tenant API server this test has
     * not: their adoption takes the same path, a controller reference checked on the live read, then the relabel.)
     */
    private boolean written(String namespace) {
        Map<String, Long> byKind =
                owned(namespace).stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));
        return byKind.getOrDefault("Secret", 0L) >= 12
                && byKind.getOrDefault("StatefulSet", 0L) >= 1
                && byKind.getOrDefault("Deployment", 0L) >= 3
                && byKind.getOrDefault("InstancePool", 0L) >= 1;
    }

    /** Every object of the kinds the operator writes that a resource of this namespace controls. */
    private List<HasMetadata> owned(String namespace) {
        Set<String> owners = new java.util.HashSet<>();
        for (Class<? extends HasMetadata> type : List.of(SKSCluster.class, Nodepool.class, KubeconfigRequest.class)) {
            client.resources(type).inNamespace(namespace).list().getItems().stream()
                    .map(o -> o.getMetadata().getUid())
                    .forEach(owners::add);
        }
        List<HasMetadata> owned = new ArrayList<>();
        for (Class<? extends HasMetadata> type : KINDS) {
            client.resources(type).inNamespace(namespace).list().getItems().stream()
                    .filter(o -> o.getMetadata().getOwnerReferences() != null
                            && o.getMetadata().getOwnerReferences().stream()
                                    .anyMatch(
                                            r -> Boolean.TRUE.equals(r.getController()) && owners.contains(r.getUid())))
                    .forEach(owned::add);
        }
        // The user-data Secret is controlled by the InstancePool.
        Set<String> pools = owned.stream()
                .filter(InstancePool.class::isInstance)
                .map(o -> o.getMetadata().getUid())
                .collect(Collectors.toSet());
        client.secrets().inNamespace(namespace).list().getItems().stream()
                .filter(o -> o.getMetadata().getOwnerReferences() != null
                        && o.getMetadata().getOwnerReferences().stream()
                                .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && pools.contains(r.getUid())))
                .forEach(owned::add);
        return owned;
    }

    private static Set<String> uids(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    }

    private static Set<String> names(List<? extends HasMetadata> objects) {
        return objects.stream()
                .map(o -> o.getMetadata().getName())
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
    }
}
