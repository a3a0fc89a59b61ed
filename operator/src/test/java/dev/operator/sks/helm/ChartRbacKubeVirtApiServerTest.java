package dev.operator.sks.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.kubevirt.KubeVirtTestSupport;
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
 * With the chart's RBAC for the kubevirt provider and nothing more, the operator makes a cluster's KubeVirt cloud
 * controller its ServiceAccount, Role (which RBAC lets it grant only because it holds those rights itself: the chart
 * gives no escalate or bind), RoleBinding and token, and deletes them with the cluster. As in
 * {@link ChartRbacApiServerTest}, the operator impersonates the chart's ServiceAccount.
 */
// A server of its own, not @SharedApiServer: the chart's ClusterRoles and bindings would reach other classes.
@EnableKubeAPIServer
class ChartRbacKubeVirtApiServerTest {
    @KubeConfig
    static String kubeconfig;

    @Test
    void theChartLetsTheOperatorMakeAndDeleteTheKubeVirtCloudControllersAccount() throws Exception {
        List<HasMetadata> rendered = HelmCharts.render("operator:\n  provider: kubevirt\n");
        try (KubernetesClient admin = ApiServerSupport.client(kubeconfig)) {
            ApiServerSupport.installCrds(admin);
            KubeVirtTestSupport.installKubeVirtCrds(admin);
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
            OperatorConfig config =
                    OperatorConfig.parse(new String[] {"--http-port=0", "--provider=kubevirt"}, Map.of());

            String namespace = ApiServerSupport.newNamespace(admin, "rbac-kv");
            try (KubernetesClient operatorClient =
                            new KubernetesClientBuilder().withConfig(asOperator).build();
                    SksOperator operator = new SksOperator(
                            operatorClient, OperatorServices.loadDefaults(config), new SimpleMeterRegistry())) {
                operator.start();
                admin.resource((HasMetadata) admin.getKubernetesSerialization().unmarshal("""
                                apiVersion: sks.operator.dev/v1alpha1
                                kind: SKSCluster
                                metadata: {name: least}
                                spec: {zone: ch-gva-2, version: "1.33", addons: [cloud-controller]}
                                """))
                        .inNamespace(namespace)
                        .create();
                SKSCluster issued = await().atMost(Duration.ofSeconds(90))
                        .until(
                                () -> admin.resources(SKSCluster.class)
                                        .inNamespace(namespace)
                                        .withName("least")
                                        .get(),
                                c -> c.getStatus() != null
                                        && Conditions.find(c.getStatus().conditions, Conditions.CLOUD_CREDENTIALS_READY)
                                                .isPresent());
                assertThat(Conditions.isTrue(issued.getStatus().conditions, Conditions.CLOUD_CREDENTIALS_READY))
                        .as("conditions: %s", issued.getStatus().conditions)
                        .isTrue();
                String name = Names.cloudControllerAccount("least");
                assertThat(admin.rbac()
                                .roles()
                                .inNamespace(namespace)
                                .withName(name)
                                .get())
                        .isNotNull();

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
                assertThat(admin.serviceAccounts()
                                .inNamespace(namespace)
                                .withName(name)
                                .get())
                        .isNull();
                assertThat(admin.rbac()
                                .roles()
                                .inNamespace(namespace)
                                .withName(name)
                                .get())
                        .isNull();
                assertThat(admin.rbac()
                                .roleBindings()
                                .inNamespace(namespace)
                                .withName(name)
                                .get())
                        .isNull();
            }
        }
    }
}
