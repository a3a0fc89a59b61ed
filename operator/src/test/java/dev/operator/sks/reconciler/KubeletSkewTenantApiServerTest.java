package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.rendering.Rollouts;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The version-skew policy against a real tenant kube-apiserver (started with the cluster's PKI): a control plane is
 * not upgraded to a minor more than three ahead of the oldest kubelet among the tenant's Nodes, and the running
 * cluster stays as it was.
 */
@SharedApiServer
class KubeletSkewTenantApiServerTest {
    private static final String CLUSTER = "skew";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;
    static ClusterStandIn kubelet;
    static TenantApiServer tenant;

    @BeforeAll
    static void connect() {
        client = ApiServerSupport.client(kubeconfig);
    }

    @AfterAll
    static void stop() throws Exception {
        if (kubelet != null) {
            kubelet.close();
        }
        if (tenant != null) {
            tenant.close();
        }
        if (operator != null) {
            operator.close();
        }
        client.close();
    }

    @Test
    void anUpgradeTooFarAheadOfTheOldestKubeletIsRefusedAndTheClusterKeepsRunning() throws Exception {
        int tenantPort = TlsTestSupport.freeLoopbackPort();
        TenantClients.ServerOverride toTenant = TenantApiServer.servingOn(tenantPort);
        operator = ApiServerSupport.startOperator(
                client,
                OperatorServices.loadDefaults(ApiServerSupport.testConfig()),
                new SimpleMeterRegistry(),
                toTenant);
        namespace = ApiServerSupport.newNamespace(client, "skew");
        create(ControlPlaneApiServerTest.cluster(CLUSTER, "1.33", "ClusterIP"));
        awaitCluster(c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));

        // The old node is in the tenant before the control plane runs, so the operator's first look at the tenant sees
        // it.
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort);
        try (TenantClients tenants = new TenantClients(client, toTenant)) {
            KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();
            addNode(admin, "current", "v1.33.4");
            addNode(admin, "old", "v1.30.14+vendor.2");
        }
        kubelet = ClusterStandIn.watch(client, namespace);
        SKSCluster running = awaitCluster(c -> c.getStatus().state == ClusterState.Running
                && Conditions.isTrue(c.getStatus().conditions, Conditions.TENANT_REACHABLE));
        String runningVersion = running.getStatus().version;
        assertThat(runningVersion).startsWith("1.33.");

        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"version\":\"1.34\"}}");
        SKSCluster refused = awaitCluster(c -> Conditions.find(c.getStatus().conditions, Conditions.ACCEPTED)
                .filter(a -> "KubeletSkewTooLarge".equals(a.getReason()))
                .isPresent());
        assertThat(Conditions.find(refused.getStatus().conditions, Conditions.ACCEPTED)
                        .orElseThrow()
                        .getMessage())
                .contains("1.34", "oldest kubelet (1.30");
        assertThat(refused.getStatus().state).isEqualTo(ClusterState.Running);
        assertThat(refused.getStatus().version).isEqualTo(runningVersion);
        StatefulSet etcd = client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withName(Names.etcdStatefulSet(CLUSTER))
                .get();
        assertThat(Rollouts.renderedVersion(etcd))
                .hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo(runningVersion));
    }

    private static void addNode(KubernetesClient admin, String name, String kubeletVersion) {
        Node node = admin.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        node.setStatus(new NodeBuilder()
                .withNewStatus()
                .withNewNodeInfo()
                .withKubeletVersion(kubeletVersion)
                .withKubeProxyVersion(kubeletVersion)
                .withOperatingSystem("linux")
                .withArchitecture("amd64")
                .withContainerRuntimeVersion("containerd://2.0.0")
                .withKernelVersion("6.1.0")
                .withOsImage("Debian")
                .withMachineID(name)
                .withSystemUUID(name)
                .withBootID(name)
                .endNodeInfo()
                .endStatus()
                .build()
                .getStatus());
        admin.nodes().resource(node).updateStatus();
    }

    private static void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster awaitCluster(Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null && c.getStatus() != null && condition.test(c));
    }
}
