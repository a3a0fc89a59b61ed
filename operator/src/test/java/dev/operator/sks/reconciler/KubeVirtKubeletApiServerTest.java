package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Instance;
import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.catalog.NodeImage;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.join.KubeletServingRequestsTest;
import dev.operator.sks.join.NodeSetupScript;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.provider.kubevirt.KubeVirtProvider;
import dev.operator.sks.provider.kubevirt.KubeVirtTestSupport;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a real machine's kubelet meets, with the kubevirt provider and a real tenant kube-apiserver (the cluster's own
 * PKI): the pool reports its machine's address, and the operator approves the serving-certificate request the kubelet
 * posts for that name and address, and no other; the Node the kubelet registers counts as ready in the Nodepool
 * while it is Ready, and no longer once it is not.
 */
@SharedApiServer
class KubeVirtKubeletApiServerTest {
    private static final String CLUSTER = "pool-host";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static ClusterStandIn kubelets;
    static TenantApiServer tenant;
    static TenantClients tenants;

    @BeforeAll
    static void operatorWithKubeVirtAndATenant() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        KubeVirtTestSupport.installKubeVirtCrds(client);
        int tenantPort = TlsTestSupport.freeLoopbackPort();
        TenantClients.ServerOverride toTenant = TenantApiServer.servingOn(tenantPort);
        OperatorConfig config = OperatorConfig.parse(new String[] {"--http-port=0", "--provider=kubevirt"}, Map.of());
        operator = ApiServerSupport.startOperator(
                client, OperatorServices.loadDefaults(config), new SimpleMeterRegistry(), toTenant);
        namespace = ApiServerSupport.newNamespace(client, "vms");
        kubelets = ClusterStandIn.watch(client, namespace);
        create(ControlPlaneApiServerTest.cluster(CLUSTER, "1.33", "ClusterIP"));
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c.getStatus() != null && c.getStatus().state == ClusterState.Running);
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort);
        tenants = new TenantClients(client, toTenant);
    }

    @AfterAll
    static void stop() throws Exception {
        if (tenants != null) {
            tenants.close();
        }
        if (tenant != null) {
            tenant.close();
        }
        kubelets.close();
        operator.close();
        client.close();
    }

    @Test
    void aMachinesKubeletGetsItsOwnServingCertificateApprovedAndNoOther() throws Exception {
        create(NodepoolApiServerTest.nodepool("vms", 1, "standard.medium"));
        Instance machine = awaitMachine("vms");
        String address = machine.addresses.get(0);

        String own;
        String elsewhere;
        try (KubernetesClient kubelet = tenant.clientAs("system:node:" + machine.name, "system:nodes")) {
            String subject = "CN=system:node:" + machine.name + ",O=system:nodes";
            own = post(
                    kubelet,
                    KubeletServingRequestsTest.servingRequest(subject, List.of(machine.name), List.of(address)));
            elsewhere = post(
                    kubelet,
                    KubeletServingRequestsTest.servingRequest(subject, List.of(machine.name), List.of("192.0.2.250")));
        }

        KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(conditionTypes(admin, own)).containsExactly("Approved"));
        assertThat(conditionTypes(admin, elsewhere))
                .as("an address the pool does not report stays pending")
                .isEmpty();
    }

    @Test
    void theNodeAMachinesKubeletRegistersCountsWhileItIsReady() throws Exception {
        create(NodepoolApiServerTest.nodepool("ready", 1, "standard.medium"));
        Instance machine = awaitMachine("ready");
        Nodepool nodepool = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("ready")
                .get();
        assertThat(nodepool.getStatus().readyNodes).isZero();

        try (KubernetesClient kubelet = tenant.clientAs("system:node:" + machine.name, "system:nodes")) {
            // As the kubelet registers: its own Node, with the labels its user-data gave it, then its status.
            Node node = kubelet.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(machine.name)
                            .addToLabels(Labels.NODEPOOL_ID, nodepool.getStatus().id)
                            .endMetadata()
                            .build())
                    .create();
            node.setStatus(new NodeStatusBuilder()
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("KubeletReady")
                    .endCondition()
                    .build());
            kubelet.nodes().resource(node).updateStatus();
            awaitNodepool(
                    "ready",
                    np -> Integer.valueOf(1).equals(np.getStatus().readyNodes)
                            && Conditions.isTrue(np.getStatus().conditions, Conditions.READY));
            assertThat(client.resources(InstancePool.class)
                            .inNamespace(namespace)
                            .withName(nodepool.getStatus().instancePool)
                            .get()
                            .getStatus()
                            .instances)
                    .singleElement()
                    .satisfies(i -> assertThat(i.nodeName).isEqualTo(machine.name));

            node = kubelet.nodes().withName(machine.name).get();
            node.getStatus().getConditions().get(0).setStatus("False");
            kubelet.nodes().resource(node).updateStatus();
            awaitNodepool("ready", np -> Integer.valueOf(0).equals(np.getStatus().readyNodes));
            // The machine still runs, its Node is not Ready: the pool is not Ready either, and says which it waits for.
            Nodepool notReady = client.resources(Nodepool.class)
                    .inNamespace(namespace)
                    .withName("ready")
                    .get();
            assertThat(notReady.getStatus().size).isEqualTo(1);
            assertThat(Conditions.find(notReady.getStatus().conditions, Conditions.READY))
                    .hasValueSatisfying(ready -> {
                        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
                        assertThat(ready.getReason()).isEqualTo("WaitingForNodes");
                        assertThat(ready.getMessage())
                                .contains("0 of 1 with a Ready Node")
                                .doesNotContain("null");
                    });
        }
    }

    @Test
    void theNodesOfMachinesThePoolNoLongerHasGoAndNoOtherWhileNodepoolLabelsReachTheRest() throws Exception {
        create(NodepoolApiServerTest.nodepool("shrink", 2, "standard.medium"));
        List<Instance> machines = awaitMachines("shrink", 2);
        Nodepool nodepool = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("shrink")
                .get();
        KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();
        for (Instance machine : machines) {
            try (KubernetesClient kubelet = tenant.clientAs("system:node:" + machine.name, "system:nodes")) {
                Node node = kubelet.nodes()
                        .resource(new NodeBuilder()
                                .withNewMetadata()
                                .withName(machine.name)
                                .addToLabels(Labels.NODEPOOL_ID, nodepool.getStatus().id)
                                .endMetadata()
                                .build())
                        .create();
                node.setStatus(new NodeStatusBuilder()
                        .addNewCondition()
                        .withType("Ready")
                        .withStatus("True")
                        .withReason("KubeletReady")
                        .endCondition()
                        .build());
                kubelet.nodes().resource(node).updateStatus();
            }
        }
        // Someone else's Node with the pool's id label: a label proves nothing, so it is never the pool's to delete.
        admin.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName("impostor")
                        .addToLabels(Labels.NODEPOOL_ID, nodepool.getStatus().id)
                        .endMetadata()
                        .build())
                .create();

        // The kubelets registered without the nodepool's label; the operator puts it on their Nodes.
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(machines)
                        .allSatisfy(m -> assertThat(admin.nodes()
                                        .withName(m.name)
                                        .get()
                                        .getMetadata()
                                        .getLabels())
                                .containsEntry("role", "worker")));
        assertThat(admin.nodes().withName("impostor").get().getMetadata().getLabels())
                .doesNotContainKey("role");

        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("shrink")
                .scale(1);
        InstancePool one = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(InstancePool.class)
                                .inNamespace(namespace)
                                .withName(nodepool.getStatus().instancePool)
                                .get(),
                        p -> p.getStatus().instances.size() == 1);
        String kept = one.getStatus().instances.get(0).name;
        String gone = machines.stream()
                .map(m -> m.name)
                .filter(n -> !n.equals(kept))
                .findFirst()
                .orElseThrow();
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(admin.nodes().withName(gone).get())
                        .as("the Node of departed machine " + gone)
                        .isNull());
        assertThat(admin.nodes().withName(kept).get()).isNotNull();
        assertThat(admin.nodes().withName("impostor").get()).isNotNull();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(client.resources(InstancePool.class)
                                .inNamespace(namespace)
                                .withName(nodepool.getStatus().instancePool)
                                .get()
                                .getStatus()
                                .departed)
                        .isEmpty());

        // Deleting the nodepool deletes its machines, and with them the Node of the last one; still not the impostor.
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("shrink")
                .delete();
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(admin.nodes().withName(kept).get())
                        .as("the Node of deleted machine " + kept)
                        .isNull());
        assertThat(admin.nodes().withName("impostor").get()).isNotNull();
    }

    @Test
    void machinesBootTheCatalogsContainerDiskForTheClustersMinorUnlessTheNodepoolNamesItsOwn() {
        create(NodepoolApiServerTest.nodepool("catalog", 1, "standard.medium"));
        create(NodepoolApiServerTest.nodepool("custom", 1, "standard.medium")
                .replace("  labels:", "  template: registry.example/team/node:v1\n  labels:"));
        NodeImage catalog = VersionCatalog.loadDefault()
                .nodeImage("kubevirt", KubernetesVersion.of("1.33.4"))
                .orElseThrow();

        // The catalog's CAPK disk has containerd, kubelet and kubeadm: its user-data installs nothing.
        assertThat(bootedImage("catalog")).isEqualTo(catalog.image());
        assertThat(setupScript("catalog")).doesNotContain("apt-get").contains("kubeadm join");
        // An image the catalog knows nothing of: the machine checks, and installs the cluster's patch if it must.
        assertThat(bootedImage("custom")).isEqualTo("registry.example/team/node:v1");
        assertThat(setupScript("custom"))
                .contains("has_node_software")
                .contains("kubelet=1.33.4-1.1 kubeadm=1.33.4-1.1 kubectl=1.33.4-1.1");
    }

    /** The container disk of the nodepool's first VirtualMachine, once it has one. */
    private static String bootedImage(String nodepoolName) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            Nodepool nodepool = client.resources(Nodepool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepoolName)
                                    .get();
                            if (nodepool == null
                                    || nodepool.getStatus() == null
                                    || nodepool.getStatus().instancePool == null) {
                                return null;
                            }
                            return client
                                    .genericKubernetesResources(KubeVirtProvider.GROUP_VERSION, "VirtualMachine")
                                    .inNamespace(namespace)
                                    .withLabel(Labels.INSTANCE_POOL, nodepool.getStatus().instancePool)
                                    .list()
                                    .getItems()
                                    .stream()
                                    .map(KubeVirtKubeletApiServerTest::containerDisk)
                                    .findFirst()
                                    .orElse(null);
                        },
                        image -> image != null);
    }

    /** spec.template.spec.volumes[].containerDisk.image of a VirtualMachine. */
    private static String containerDisk(GenericKubernetesResource vm) {
        Map<?, ?> spec = (Map<?, ?>) vm.getAdditionalProperties().get("spec");
        Map<?, ?> podSpec = (Map<?, ?>) ((Map<?, ?>) spec.get("template")).get("spec");
        return ((List<?>) podSpec.get("volumes"))
                .stream()
                        .map(volume -> (Map<?, ?>) ((Map<?, ?>) volume).get("containerDisk"))
                        .filter(disk -> disk != null)
                        .map(disk -> (String) disk.get("image"))
                        .findFirst()
                        .orElseThrow();
    }

    /** The setup script the nodepool's machines run, from the user-data Secret. */
    private static String setupScript(String nodepoolName) {
        Nodepool nodepool = client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName(nodepoolName)
                .get();
        String userData = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> Optional.ofNullable(client.secrets()
                                        .inNamespace(namespace)
                                        .withName(Names.userData(nodepool.getStatus().instancePool))
                                        .get())
                                .map(secret -> new String(
                                        Base64.getDecoder()
                                                .decode(secret.getData().get(Names.USER_DATA_KEY)),
                                        StandardCharsets.UTF_8))
                                .orElse(null),
                        text -> text != null);
        Map<?, ?> cloudConfig = client.getKubernetesSerialization().unmarshal(userData, Map.class);
        return ((List<?>) cloudConfig.get("write_files"))
                .stream()
                        .map(file -> (Map<?, ?>) file)
                        .filter(file -> NodeSetupScript.PATH.equals(file.get("path")))
                        .map(file -> (String) file.get("content"))
                        .findFirst()
                        .orElseThrow();
    }

    /** Plays KubeVirt for the nodepool's machines until the pool reports {@code count} with an address. */
    private static List<Instance> awaitMachines(String nodepoolName, int count) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            Nodepool nodepool = client.resources(Nodepool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepoolName)
                                    .get();
                            if (nodepool == null
                                    || nodepool.getStatus() == null
                                    || nodepool.getStatus().instancePool == null) {
                                return List.<Instance>of();
                            }
                            KubeVirtTestSupport.runMachines(client, namespace, nodepool.getStatus().instancePool);
                            InstancePool pool = client.resources(InstancePool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepool.getStatus().instancePool)
                                    .get();
                            return pool == null || pool.getStatus() == null || pool.getStatus().instances == null
                                    ? List.<Instance>of()
                                    : pool.getStatus().instances.stream()
                                            .filter(i -> !i.addresses.isEmpty())
                                            .toList();
                        },
                        machines -> machines.size() == count);
    }

    /** Plays KubeVirt for the nodepool's machines until the pool reports one with an address. */
    private static Instance awaitMachine(String nodepoolName) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            Nodepool nodepool = client.resources(Nodepool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepoolName)
                                    .get();
                            if (nodepool == null
                                    || nodepool.getStatus() == null
                                    || nodepool.getStatus().instancePool == null) {
                                return null;
                            }
                            KubeVirtTestSupport.runMachines(client, namespace, nodepool.getStatus().instancePool);
                            InstancePool pool = client.resources(InstancePool.class)
                                    .inNamespace(namespace)
                                    .withName(nodepool.getStatus().instancePool)
                                    .get();
                            return pool == null || pool.getStatus() == null || pool.getStatus().instances == null
                                    ? null
                                    : pool.getStatus().instances.stream()
                                            .filter(i -> !i.addresses.isEmpty())
                                            .findFirst()
                                            .orElse(null);
                        },
                        i -> i != null);
    }

    private static void awaitNodepool(String name, Predicate<Nodepool> condition) {
        await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> client.resources(Nodepool.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        np -> np.getStatus() != null && condition.test(np));
    }

    private static String post(KubernetesClient kubelet, CertificateSigningRequest request) {
        return kubelet.certificates()
                .v1()
                .certificateSigningRequests()
                .resource(request)
                .create()
                .getMetadata()
                .getName();
    }

    private static List<String> conditionTypes(KubernetesClient admin, String csr) {
        CertificateSigningRequest current = admin.certificates()
                .v1()
                .certificateSigningRequests()
                .withName(csr)
                .get();
        return current.getStatus() == null || current.getStatus().getConditions() == null
                ? List.of()
                : current.getStatus().getConditions().stream()
                        .map(c -> c.getType())
                        .toList();
    }

    private static void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
