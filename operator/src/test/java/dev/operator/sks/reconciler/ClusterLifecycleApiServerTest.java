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
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upgrades in component order, refused downgrades, and deletion, against a real API server. */
@SharedApiServer
class ClusterLifecycleApiServerTest {
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
    void namespace() {
        namespace = ApiServerSupport.newNamespace(client, "life");
        kubelet = ClusterStandIn.watch(client, namespace);
    }

    @org.junit.jupiter.api.AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Test
    void anUpgradeRollsEtcdThenTheApiServerThenTheRestAndADowngradeIsRefused() {
        apply(ControlPlaneApiServerTest.cluster("up", "1.32.8", "ClusterIP"));
        awaitCluster("up", c -> c.getStatus().state == ClusterState.Running);
        assertThat(cluster("up").getStatus().availableUpgrades)
                .contains("1.33.4")
                .doesNotContain("1.34.0");

        // From here the test plays the kubelet by hand, to see each step of the upgrade.
        kubelet.close();
        edit("up", "1.33.4");
        awaitCluster("up", c -> c.getStatus().state == ClusterState.Upgrading);
        StatefulSet etcd = await().atMost(Duration.ofSeconds(30))
                .until(() -> statefulSet(Names.etcdStatefulSet("up")), s -> "1.33.4".equals(version(s)));
        assertThat(version(deployment(Names.apiserverDeployment("up"))))
                .as("API server waits for etcd")
                .isEqualTo("1.32.8");
        kubelet.markAvailable(etcd);

        Deployment apiserver = await().atMost(Duration.ofSeconds(30))
                .until(() -> deployment(Names.apiserverDeployment("up")), d -> "1.33.4".equals(version(d)));
        assertThat(version(deployment(Names.controllerManagerDeployment("up")))).isEqualTo("1.32.8");
        assertThat(version(deployment(Names.schedulerDeployment("up")))).isEqualTo("1.32.8");
        assertThat(cluster("up").getStatus().version).isEqualTo("1.32.8");
        kubelet.markAvailable(apiserver);

        Deployment controllerManager = await().atMost(Duration.ofSeconds(30))
                .until(() -> deployment(Names.controllerManagerDeployment("up")), d -> "1.33.4".equals(version(d)));
        Deployment scheduler = await().atMost(Duration.ofSeconds(30))
                .until(() -> deployment(Names.schedulerDeployment("up")), d -> "1.33.4".equals(version(d)));
        kubelet.markAvailable(controllerManager);
        kubelet.markAvailable(scheduler);
        SKSCluster upgraded = awaitCluster("up", c -> c.getStatus().state == ClusterState.Running);
        assertThat(upgraded.getStatus().version).isEqualTo("1.33.4");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(namespace)
                                .list()
                                .getItems())
                        .extracting(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
                        .anySatisfy(m -> assertThat(m)
                                .startsWith("Normal UpgradeStarted: upgrading the control plane from 1.32.8 "
                                        + "to 1.33.4"))
                        .anySatisfy(m -> assertThat(m)
                                .startsWith("Normal UpgradeFinished: the control plane runs Kubernetes 1.33.4 "
                                        + "(was 1.32.8)")));

        edit("up", "1.32");
        SKSCluster refused = awaitCluster(
                "up",
                c -> Conditions.find(c.getStatus().conditions, Conditions.ACCEPTED)
                        .map(a -> "DowngradeRefused".equals(a.getReason()))
                        .orElse(false));
        assertThat(refused.getStatus().state).isEqualTo(ClusterState.Running);
        assertThat(refused.getStatus().version).isEqualTo("1.33.4");
        assertThat(version(deployment(Names.apiserverDeployment("up")))).isEqualTo("1.33.4");
    }

    @Test
    void autoUpgradeFollowsTheNewestPatchWithoutRewritingTheSpec() {
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: auto}
        spec: {zone: ch-gva-2, version: "1.32.1", autoUpgrade: true, controlPlane: {exposure: ClusterIP}}
        """);
        SKSCluster running = awaitCluster("auto", c -> c.getStatus().state == ClusterState.Running);
        assertThat(running.getStatus().version).isEqualTo("1.32.8");
        assertThat(running.getSpec().version).isEqualTo("1.32.1");
    }

    @Test
    void starterToProScalesTheApiServersAtOnceAndGrowsEtcdOnlyThroughEtcd() {
        // No etcd runs here, and the first member's name resolves nowhere: growth must wait, visibly, and leave the
        // running member alone. EtcdGrowthApiServerTest grows a real etcd.
        apply(ControlPlaneApiServerTest.cluster("grow", "1.33", "ClusterIP"));
        awaitCluster("grow", c -> c.getStatus().state == ClusterState.Running);
        StatefulSet starterEtcd = statefulSet(Names.etcdStatefulSet("grow"));
        patchSpec("grow", "{\"spec\":{\"level\":\"pro\"}}");
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        deployment(Names.apiserverDeployment("grow")).getSpec().getReplicas() == 2);

        SKSCluster waiting = awaitCluster(
                "grow",
                c -> Conditions.find(c.getStatus().conditions, Conditions.ETCD_READY)
                        .filter(e -> "EtcdUnreachable".equals(e.getReason()))
                        .isPresent());
        assertThat(Conditions.find(waiting.getStatus().conditions, Conditions.ETCD_READY)
                        .orElseThrow()
                        .getMessage())
                .startsWith(
                        "cannot reach etcd to add member 2 of 3: cannot reach etcd at https://grow-etcd-0.grow-etcd-peer.");
        assertThat(waiting.getStatus().state).as("still serving, not broken").isEqualTo(ClusterState.Updating);
        assertThat(waiting.getStatus().level).isEqualTo(dev.operator.sks.api.Level.PRO);
        StatefulSet etcd = statefulSet(Names.etcdStatefulSet("grow"));
        assertThat(etcd.getSpec().getReplicas())
                .as("no member joins before etcd lists it")
                .isEqualTo(1);
        // (Its pod template does change: pro spreads etcd members over nodes. Its flags do not.)
        assertThat(etcdArgs(etcd))
                .as("the running member's flags stay as they were")
                .isEqualTo(etcdArgs(starterEtcd))
                .contains("--initial-cluster-state=new");
        assertThat(Conditions.find(waiting.getStatus().conditions, Conditions.DISRUPTION_BUDGETS_READY)
                        .orElseThrow()
                        .getReason())
                .as("the v1.20 test server has no policy/v1")
                .isEqualTo("APINotServed");
    }

    @Test
    void deletionRemovesTheNodepoolsFirstThenTheControlPlane() {
        apply(ControlPlaneApiServerTest.cluster("gone", "1.33", "ClusterIP"));
        apply("""
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: gone-workers}
        spec: {cluster: gone, size: 1, instanceType: standard.medium}
        """);
        awaitCluster("gone", c -> c.getStatus().state == ClusterState.Running);
        assertThat(cluster("gone").getMetadata().getFinalizers()).contains(Labels.FINALIZER);
        acceptedFor("gone-workers", cluster("gone"));
        String uid = cluster("gone").getMetadata().getUid();

        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName("gone")
                .delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster("gone") == null);
        assertThat(client.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("gone-workers")
                        .get())
                .isNull();
        // What the cluster owns. (The pool's user-data Secret is its InstancePool's: a garbage collector, which this
        // test server does not run, removes it with its owner.)
        java.util.List<HasMetadata> left = new java.util.ArrayList<>();
        left.addAll(client.secrets().inNamespace(namespace).list().getItems());
        left.addAll(client.configMaps().inNamespace(namespace).list().getItems());
        left.addAll(client.services().inNamespace(namespace).list().getItems());
        left.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
        left.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
        assertThat(left)
                .filteredOn(o -> o.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid())))
                .isEmpty();
        assertThat(client.apps().deployments().inNamespace(namespace).list().getItems())
                .isEmpty();
        assertThat(client.apps().statefulSets().inNamespace(namespace).list().getItems())
                .isEmpty();
    }

    /**
     * Records in the pool's status the cluster it was accepted for, as the Nodepool reconciler does: teardown takes
     * the pools whose status names the cluster's UID.
     */
    static void acceptedFor(KubernetesClient client, String namespace, String nodepool, SKSCluster cluster) {
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(nodepool)
                .subresource("status")
                .patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"status\":{\"cluster\":\"" + cluster.getMetadata().getName() + "\",\"clusterUID\":\""
                                + cluster.getMetadata().getUid() + "\"}}");
    }

    private void acceptedFor(String nodepool, SKSCluster cluster) {
        acceptedFor(client, namespace, nodepool, cluster);
    }

    private static String version(HasMetadata workload) {
        return workload.getMetadata().getAnnotations().get(Labels.KUBERNETES_VERSION_ANNOTATION);
    }

    private static java.util.List<String> etcdArgs(StatefulSet etcd) {
        return etcd.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    private StatefulSet statefulSet(String name) {
        return client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** A merge patch of the spec, as kubectl apply would send: no resourceVersion to conflict with status writes. */
    private void edit(String name, String version) {
        patchSpec(name, "{\"spec\":{\"version\":\"" + version + "\"}}");
    }

    private void patchSpec(String name, String mergePatch) {
        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        mergePatch);
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

    private SKSCluster awaitCluster(String name, Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(() -> cluster(name), c -> c != null && c.getStatus() != null && condition.test(c));
    }
}
