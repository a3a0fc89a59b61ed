package dev.operator.sks.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.HelmCharts;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator runs as the chart's ServiceAccount with only the chart's RBAC, through a full cluster reconcile and
 * deletion: a verb missing from the chart fails here. The test API server has no token controller, so the operator
 * impersonates the ServiceAccount (RBAC then judges every call as that account's).
 */
// A server of its own, not @SharedApiServer: the chart's ClusterRoles and bindings, and an operator that watches
// every namespace as deployed, would reach other classes.
@EnableKubeAPIServer
class ChartRbacApiServerTest {
    @KubeConfig
    static String kubeconfig;

    @Test
    void theOperatorReconcilesAndDeletesAClusterWithOnlyTheChartsRbac() throws Exception {
        List<HasMetadata> rendered = HelmCharts.render("operator:\n  leaderElection:\n    enabled: true\n");
        try (KubernetesClient admin = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(admin);
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(HelmCharts.NAMESPACE)
                            .endMetadata()
                            .build())
                    .create();
            for (Class<? extends HasMetadata> type : List.of(
                    ServiceAccount.class, ClusterRole.class, ClusterRoleBinding.class, Role.class, RoleBinding.class)) {
                for (HasMetadata object : HelmCharts.ofType(rendered, type)) {
                    admin.resource(object).inNamespace(HelmCharts.NAMESPACE).create();
                }
            }
            ServiceAccount account =
                    HelmCharts.ofType(rendered, ServiceAccount.class).get(0);
            Config asOperator = Config.fromKubeconfig(kubeconfig);
            asOperator.setImpersonateUsername("system:serviceaccount:" + HelmCharts.NAMESPACE + ":"
                    + account.getMetadata().getName());
            asOperator.setImpersonateGroups(
                    "system:serviceaccounts", "system:serviceaccounts:" + HelmCharts.NAMESPACE, "system:authenticated");
            OperatorConfig config = OperatorConfig.parse(
                    new String[] {"--http-port=0", "--leader-election=true", "--lease-namespace=" + HelmCharts.NAMESPACE
                    },
                    Map.of("POD_NAME", "rbac-test"));

            String namespace = ApiServerSupport.newNamespace(admin, "rbac");
            try (KubernetesClient operatorClient =
                            new KubernetesClientBuilder().withConfig(asOperator).build();
                    SksOperator operator = new SksOperator(
                            operatorClient, OperatorServices.loadDefaults(config), new SimpleMeterRegistry());
                    ClusterStandIn kubelet = ClusterStandIn.watch(admin, namespace)) {
                operator.start();
                for (String yaml : List.of("""
            apiVersion: sks.operator.dev/v1alpha1
            kind: SKSCluster
            metadata: {name: least}
            spec: {zone: ch-gva-2, version: "1.33", level: pro}
            """, """
            apiVersion: sks.operator.dev/v1alpha1
            kind: Nodepool
            metadata: {name: least-workers}
            spec: {cluster: least, size: 2, instanceType: standard.medium}
            """, """
            apiVersion: sks.operator.dev/v1alpha1
            kind: KubeconfigRequest
            metadata: {name: least-admin}
            spec: {cluster: least, user: admin, groups: [system:masters]}
            """)) {
                    admin.resource((HasMetadata)
                                    admin.getKubernetesSerialization().unmarshal(yaml))
                            .inNamespace(namespace)
                            .create();
                }
                SKSCluster running = await().atMost(Duration.ofSeconds(90))
                        .until(
                                () -> admin.resources(SKSCluster.class)
                                        .inNamespace(namespace)
                                        .withName("least")
                                        .get(),
                                c -> c.getStatus() != null
                                        && (c.getStatus().state == ClusterState.Running
                                                || Conditions.find(c.getStatus().conditions, Conditions.READY)
                                                        .map(r -> "ReconcileError".equals(r.getReason()))
                                                        .orElse(false)));
                assertThat(running.getStatus().state)
                        .as("conditions: %s", running.getStatus().conditions)
                        .isEqualTo(ClusterState.Running);
                Nodepool workers = admin.resources(Nodepool.class)
                        .inNamespace(namespace)
                        .withName("least-workers")
                        .get();
                assertThat(Conditions.isTrue(workers.getStatus().conditions, Conditions.ACCEPTED))
                        .as("nodepool conditions: %s", workers.getStatus().conditions)
                        .isTrue();

                admin.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName("least")
                        .delete();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> admin.resources(SKSCluster.class)
                                        .inNamespace(namespace)
                                        .withName("least")
                                        .get()
                                == null);
                assertThat(admin.leases()
                                .inNamespace(HelmCharts.NAMESPACE)
                                .list()
                                .getItems())
                        .isNotEmpty();
            }
        }
    }
}
