package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.Digests;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ownership is proven by a controller reference to the cluster's UID, never assumed from a name or a label: objects
 * someone else made first are never used, changed or deleted, and teardown takes only what the cluster owns.
 */
@SharedApiServer
class ClusterOwnershipApiServerTest {
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
        namespace = ApiServerSupport.newNamespace(client, "own");
    }

    @Test
    void aCaSecretSomeoneMadeFirstIsNeverUsedChangedOrDeleted() {
        IssuedCertificate attackersCa =
                new BouncyCastlePki(Clock.systemUTC()).createCa("evil", KeyAlgorithm.DEFAULT, Pki.CA_VALIDITY);
        // Unlabelled: the informers never see it, so only a live read before the first write can find it.
        create(new SecretBuilder()
                .withNewMetadata()
                .withName(Names.clusterCa("evil"))
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(SecretData.encode(
                        Map.of("tls.crt", attackersCa.certificatePem(), "tls.key", attackersCa.privateKeyPem())))
                .build());
        conflictIsReportedAndNothingIsMade(
                "evil",
                "Secret",
                Names.clusterCa("evil"),
                true,
                () -> client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.clusterCa("evil"))
                        .get());
    }

    @Test
    void anApiserverServiceSomeoneMadeFirstIsNeverTakenOver() {
        // Labelled as the operator's own, so the informers do see it: the label proves nothing.
        create(new ServiceBuilder()
                .withNewMetadata()
                .withName(Names.apiserverService("victim"))
                .withLabels(Labels.forCluster("victim"))
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .addNewPort()
                .withName("web")
                .withPort(80)
                .endPort()
                .endSpec()
                .build());
        conflictIsReportedAndNothingIsMade(
                "victim",
                "Service",
                Names.apiserverService("victim"),
                false,
                () -> client.services()
                        .inNamespace(namespace)
                        .withName(Names.apiserverService("victim"))
                        .get());
    }

    @Test
    void aCaCertificatesConfigMapSomeoneMadeFirstIsNeverTakenOver() {
        create(new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.caCertificates("victim"))
                .endMetadata()
                .withData(Map.of("ca.crt", "a certificate the user trusts"))
                .build());
        conflictIsReportedAndNothingIsMade(
                "victim",
                "ConfigMap",
                Names.caCertificates("victim"),
                true,
                () -> client.configMaps()
                        .inNamespace(namespace)
                        .withName(Names.caCertificates("victim"))
                        .get());
    }

    /**
     * The cluster shows the conflict, tells it as a Warning Event and makes nothing; deleting it leaves the foreign
     * object; a cluster of that name made again converges once the foreign object is gone.
     */
    private void conflictIsReportedAndNothingIsMade(
            String cluster, String kind, String name, boolean certificate, Supplier<HasMetadata> foreign) {
        String before = fingerprint(foreign.get());
        create(ControlPlaneApiServerTest.cluster(cluster, "1.33", "ClusterIP"));
        SKSCluster conflicted = awaitCluster(
                cluster,
                c -> Conditions.find(c.getStatus().conditions, Conditions.READY)
                        .filter(r -> NameConflict.REASON.equals(r.getReason()))
                        .isPresent());
        String message = Conditions.find(conflicted.getStatus().conditions, Conditions.READY)
                .orElseThrow()
                .getMessage();
        assertThat(message).startsWith(kind + " " + name + " exists and was not made for SKSCluster " + cluster);
        assertThat(conflicted.getStatus().state).isEqualTo(ClusterState.Error);
        assertThat(Conditions.find(conflicted.getStatus().conditions, Conditions.CERTIFICATES_READY)
                        .map(c -> c.getReason())
                        .orElse("none"))
                .isEqualTo(certificate ? NameConflict.REASON : "none");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(events(cluster)).anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo(NameConflict.REASON);
                    assertThat(e.getMessage()).contains(kind + " " + name);
                }));
        // A reconcile after the conflict was found still makes nothing.
        await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).until(() -> true);
        assertThat(objectsInNamespace(o -> true))
                .as("nothing of the cluster is made")
                .containsExactly(kind + "/" + name);
        assertThat(fingerprint(foreign.get())).as("left byte for byte").isEqualTo(before);

        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(cluster)
                .delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> clusterNamed(cluster) == null);
        assertThat(fingerprint(foreign.get()))
                .as("not deleted with the cluster")
                .isEqualTo(before);

        create(ControlPlaneApiServerTest.cluster(cluster, "1.33", "ClusterIP"));
        awaitCluster(
                cluster,
                c -> Conditions.find(c.getStatus().conditions, Conditions.READY)
                        .filter(r -> NameConflict.REASON.equals(r.getReason()))
                        .isPresent());
        client.resource(foreign.get()).delete();
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            awaitCluster(cluster, c -> c.getStatus().state == ClusterState.Running);
        }
        HasMetadata own = foreign.get();
        assertThat(own.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getUid())
                    .isEqualTo(clusterNamed(cluster).getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
        });
    }

    @Test
    void teardownTakesWhatTheClusterOwnsNeverWhatALabelOrASpecNames() {
        PersistentVolumeClaim older = create(claim(Names.etcdDataClaim("a", 0)));
        // Creation timestamps have one-second resolution: the cluster's StatefulSet must be visibly younger.
        Instant claimMade = Instant.parse(older.getMetadata().getCreationTimestamp());
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(claimMade.plusSeconds(1)));
        create(ControlPlaneApiServerTest.cluster("a", "1.33", "ClusterIP"));
        create(ControlPlaneApiServerTest.cluster("b", "1.33", "ClusterIP"));
        create(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("labelled-only")
                .withLabels(Labels.forComponent("a", "pki"))
                .endMetadata()
                .withData(Map.of("mine", "yes"))
                .build());
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            awaitCluster("a", c -> c.getStatus().state == ClusterState.Running);
            awaitCluster("b", c -> c.getStatus().state == ClusterState.Running);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Instant.now()
                        .isAfter(Instant.parse(client.apps()
                                        .statefulSets()
                                        .inNamespace(namespace)
                                        .withName(Names.etcdStatefulSet("a"))
                                        .get()
                                        .getMetadata()
                                        .getCreationTimestamp())
                                .plusSeconds(1)));
        create(claim(Names.etcdDataClaim("a", 1)));
        create("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: moved}
        spec: {cluster: a, size: 0, instanceType: standard.medium}
        """);
        ClusterLifecycleApiServerTest.acceptedFor(client, namespace, "moved", clusterNamed("a"));
        // spec.cluster is immutable, but a v1.20 server runs no CEL rule: the edit goes through and is refused later.
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("moved")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cluster\":\"b\"}}");

        List<String> uids = List.of(
                clusterNamed("a").getMetadata().getUid(),
                clusterNamed("b").getMetadata().getUid());
        client.resources(SKSCluster.class).inNamespace(namespace).withName("b").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> clusterNamed("b") == null);
        assertThat(client.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("moved")
                        .get())
                .as("the pool belongs to a, whatever its spec names")
                .isNotNull();

        client.resources(SKSCluster.class).inNamespace(namespace).withName("a").delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> clusterNamed("a") == null);
        assertThat(client.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("moved")
                        .get())
                .isNull();
        assertThat(client.configMaps()
                        .inNamespace(namespace)
                        .withName("labelled-only")
                        .get())
                .as("a label is no ownership")
                .isNotNull();
        // Claims carry the pvc-protection finalizer, which only a controller-manager removes: deletion shows as a
        // deletion timestamp here.
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(Names.etcdDataClaim("a", 0))
                        .get()
                        .getMetadata()
                        .getDeletionTimestamp())
                .as("older than the StatefulSet: not made for it")
                .isNull();
        PersistentVolumeClaim made = client.persistentVolumeClaims()
                .inNamespace(namespace)
                .withName(Names.etcdDataClaim("a", 1))
                .get();
        assertThat(made == null || made.getMetadata().getDeletionTimestamp() != null)
                .as("made for the StatefulSet")
                .isTrue();
        assertThat(objectsInNamespace(
                        o -> o.getMetadata().getOwnerReferences().stream().anyMatch(r -> uids.contains(r.getUid()))))
                .as("everything the clusters owned is gone")
                .isEmpty();
    }

    @Test
    void aClusterWhoseNameIsNoValidLabelValueStillGoesAway() {
        String name = "c".repeat(80);
        create(ControlPlaneApiServerTest.cluster(name, "1.33", "ClusterIP"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            SKSCluster c = clusterNamed(name);
            return c != null
                    && c.getMetadata().getFinalizers() != null
                    && c.getMetadata().getFinalizers().contains(Labels.FINALIZER)
                    && c.getStatus() != null;
        });
        client.resources(SKSCluster.class).inNamespace(namespace).withName(name).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> clusterNamed(name) == null);
    }

    /** Kind/name of the Secrets, ConfigMaps, Services, StatefulSets and Deployments made here and selected. */
    private List<String> objectsInNamespace(Predicate<HasMetadata> selected) {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.secrets().inNamespace(namespace).list().getItems());
        all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
        all.addAll(client.services().inNamespace(namespace).list().getItems());
        all.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
        all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
        // The API server's own: the namespace's root CA bundle and default service account token.
        return all.stream()
                .filter(o -> !o.getMetadata().getName().equals("kube-root-ca.crt")
                        && !o.getMetadata().getName().startsWith("default-token-"))
                .filter(selected)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .toList();
    }

    private List<Event> events(String cluster) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> cluster.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    /** What a byte-for-byte comparison needs: the content and the version the server stamps on any change. */
    private static String fingerprint(HasMetadata object) {
        assertThat(object).isNotNull();
        return object.getMetadata().getResourceVersion() + "/"
                + Digests.sha256Hex(new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asJson(object));
    }

    private static PersistentVolumeClaim claim(String name) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build();
    }

    private <T extends HasMetadata> T create(T object) {
        return client.resource(object).inNamespace(namespace).create();
    }

    private void create(String yaml) {
        create((HasMetadata) client.getKubernetesSerialization().unmarshal(yaml));
    }

    private SKSCluster clusterNamed(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private SKSCluster awaitCluster(String name, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(() -> clusterNamed(name), c -> c != null && c.getStatus() != null && condition.test(c));
    }
}
