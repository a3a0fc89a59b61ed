package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.events.EventRecorder;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.cluster.OwnedObjects.Wanted;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.NameConflictException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.sharding.Sharding;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.MutableClock;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The names new clusters may collide with are listed once for all of them in a namespace, for a few seconds, and that
 * shared list only ever saves a request: a name it missed is refused by the create, and a name it saw taken is read
 * again before it is called a conflict.
 */
@SharedApiServer
class UnwatchedNamesApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    final UnwatchedNames unwatched = new UnwatchedNames(clock);
    String namespace;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @BeforeEach
    void namespace() {
        namespace = ApiServerSupport.newNamespace(client, "unwatched");
    }

    @Test
    void aNameIsTakenOnlyBySomeoneElsesObject() {
        client.resource(secret("theirs", false)).create();
        client.resource(secret("labelled", true)).create();

        assertThat(unwatched.free(client, Secret.class, namespace, "theirs")).isFalse();
        // The informers see what is labelled managed-by: whether that one is owned is theirs to tell.
        assertThat(unwatched.free(client, Secret.class, namespace, "labelled")).isTrue();
        assertThat(unwatched.free(client, Secret.class, namespace, "nobodys")).isTrue();
    }

    @Test
    void oneListAnswersForAFewSecondsAndIsThenAskedAgain() {
        assertThat(unwatched.free(client, Secret.class, namespace, "late")).isTrue();
        client.resource(secret("late", false)).create();

        assertThat(unwatched.free(client, Secret.class, namespace, "late")).isTrue();
        clock.advance(UnwatchedNames.SHARED_FOR.minusMillis(1));
        assertThat(unwatched.free(client, Secret.class, namespace, "late")).isTrue();
        clock.advance(UnwatchedNames.SHARED_FOR);
        assertThat(unwatched.free(client, Secret.class, namespace, "late")).isFalse();
    }

    @Test
    void eachKindAndNamespaceHasItsOwnList() {
        client.resource(secret("shared-name", false)).create();
        String other = ApiServerSupport.newNamespace(client, "unwatched");

        assertThat(unwatched.free(client, Secret.class, namespace, "shared-name"))
                .isFalse();
        assertThat(unwatched.free(client, ConfigMap.class, namespace, "shared-name"))
                .isTrue();
        assertThat(unwatched.free(client, Secret.class, other, "shared-name")).isTrue();
        client.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("shared-name")
                        .withNamespace(other)
                        .endMetadata()
                        .build())
                .create();
        assertThat(unwatched.free(client, ConfigMap.class, other, "shared-name"))
                .isFalse();
    }

    @Test
    void aNameTakenAfterTheListIsRefusedByTheCreate() {
        OwnedObjects objects = objects();
        assertThat(unwatched.free(client, Secret.class, namespace, "demo-ca")).isTrue();
        Secret theirs = client.resource(secret("demo-ca", false)).create();

        // The shared list is older than their Secret: no conflict is seen yet, and the create finds it.
        assertThat(objects.conflicts(List.of(new Wanted(Secret.class, "demo-ca"))))
                .isEmpty();
        Secret ours = secret("demo-ca", false);
        ours.getMetadata().setOwnerReferences(List.of(Owners.controllerReference(owner())));
        assertThatThrownBy(() -> objects.create(ours))
                .isInstanceOfSatisfying(
                        NameConflictException.class,
                        e -> assertThat(e.conflict()).isEqualTo(new NameConflict("Secret", "demo-ca")));
        assertThat(client.resource(theirs).get().getMetadata().getOwnerReferences())
                .isEmpty();
    }

    @Test
    void aNameTheListSawTakenIsReadAgainBeforeItIsAConflict() {
        Secret theirs = client.resource(secret("demo-ca", false)).create();
        client.resource(secret("demo-etcd-ca", false)).create();
        assertThat(unwatched.free(client, Secret.class, namespace, "demo-ca")).isFalse();
        client.resource(theirs).withGracePeriod(0).delete();

        assertThat(objects()
                        .conflicts(
                                List.of(new Wanted(Secret.class, "demo-ca"), new Wanted(Secret.class, "demo-etcd-ca"))))
                .containsExactly(new NameConflict("Secret", "demo-etcd-ca"));
    }

    /** Informers that have seen nothing of the kinds they watch: every name is left to the shared list. */
    private OwnedObjects objects() {
        return new OwnedObjects(
                client, new ObjectCache.Empty(true), unwatched, owner(), EventRecorder.NONE, Sharding.NONE);
    }

    private SKSCluster owner() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace(namespace)
                .withUid("6b0c2a1e-0000-4000-8000-000000000001")
                .build());
        return cluster;
    }

    private Secret secret(String name, boolean labelledManaged) {
        ObjectMetaBuilder metadata = new ObjectMetaBuilder().withName(name).withNamespace(namespace);
        if (labelledManaged) {
            metadata.withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
        }
        return new SecretBuilder()
                .withMetadata(metadata.build())
                .withStringData(Map.of("note", "made by someone"))
                .build();
    }
}
