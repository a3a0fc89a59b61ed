package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.KubeconfigRequest;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issued kubeconfigs against a real kube-apiserver started with the cluster's own generated PKI (serving certificate,
 * client-CA bundle, service-account keys): they authenticate as the right user and groups, RBAC governs them, and a
 * clients-CA rotation locks out every kubeconfig issued before while renewed ones get in.
 */
@SharedApiServer
class KubeconfigRequestTenantApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static String namespace;

    @BeforeAll
    static void startOperator() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
        namespace = ApiServerSupport.newNamespace(client, "tenant");
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.close();
    }

    @Test
    void issuedKubeconfigsAuthenticateAsTheirUserAndGroupsAndARotationLocksOutTheOldOnes() throws Exception {
        apply(KubeconfigRequestApiServerTest.cluster("beta", "ClusterIP"));
        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> cluster("beta"),
                            c -> c != null
                                    && c.getStatus() != null
                                    && Conditions.isTrue(c.getStatus().conditions, Conditions.READY));
        }
        apply(KubeconfigRequestApiServerTest.request(
                "viewer", "beta", "carol", List.of("viewers", "extra"), 3600L, null));
        apply(KubeconfigRequestApiServerTest.request("renewing", "beta", "dave", List.of("viewers"), 3600L, 600L));
        KubeconfigRequest viewer = awaitRequest("viewer", KubeconfigRequestTenantApiServerTest::isReady);
        KubeconfigRequest renewing = awaitRequest("renewing", KubeconfigRequestTenantApiServerTest::isReady);
        String carolBefore = issued("viewer");
        String daveBefore = issued("renewing");

        try (TenantApiServer tenant = TenantApiServer.start(client, namespace, "beta");
                KubernetesClient carol = tenantClient(tenant, carolBefore);
                KubernetesClient admin =
                        tenantClient(tenant, secretValue(Names.adminKubeconfig("beta"), Names.KUBECONFIG_KEY))) {
            // Authenticated (not 401) as carol, but no RBAC lets her list pods.
            KubernetesClientException refused = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> carol.pods().inNamespace("default").list());
            assertThat(refused.getCode()).isEqualTo(403);
            assertThat(refused.getMessage()).contains("User \"carol\" cannot list resource \"pods\"");

            bindViewTo(admin, "viewers");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(
                                    carol.pods().inNamespace("default").list().getItems())
                            .isEmpty());
            KubernetesClientException readOnly = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> carol.configMaps()
                            .inNamespace("default")
                            .resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName("by-carol")
                                    .endMetadata()
                                    .build())
                            .create());
            assertThat(readOnly.getCode()).isEqualTo(403);
            assertThat(readOnly.getMessage()).contains("User \"carol\" cannot create resource \"configmaps\"");
        }

        // Rotate the clients CA: the bundle the API server trusts holds the new one only.
        String bundleBefore = secretValue(Names.clientCaBundle("beta"), Names.CLIENT_CA_BUNDLE_KEY);
        annotateCluster("beta", "first-rotation");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !secretValue(Names.clientCaBundle("beta"), Names.CLIENT_CA_BUNDLE_KEY)
                        .equals(bundleBefore));
        awaitRequest(
                "renewing",
                r -> isReady(r) && !renewing.getStatus().serialNumber.equals(r.getStatus().serialNumber));
        awaitRequest("viewer", r -> !isReady(r));
        String daveAfter = issued("renewing");

        // The API server restarted with the new bundle, as its pods roll on the bundle's hash.
        try (TenantApiServer tenant = TenantApiServer.start(client, namespace, "beta");
                KubernetesClient carolOld = tenantClient(tenant, carolBefore);
                KubernetesClient daveOld = tenantClient(tenant, daveBefore);
                KubernetesClient daveNew = tenantClient(tenant, daveAfter);
                KubernetesClient admin =
                        tenantClient(tenant, secretValue(Names.adminKubeconfig("beta"), Names.KUBECONFIG_KEY))) {
            bindViewTo(admin, "viewers");
            assertThat(catchThrowableOfType(
                                    KubernetesClientException.class,
                                    () -> carolOld.pods().inNamespace("default").list())
                            .getCode())
                    .as("carol's old kubeconfig")
                    .isEqualTo(401);
            assertThat(catchThrowableOfType(
                                    KubernetesClientException.class,
                                    () -> daveOld.pods().inNamespace("default").list())
                            .getCode())
                    .as("dave's old kubeconfig")
                    .isEqualTo(401);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(
                                    daveNew.pods().inNamespace("default").list().getItems())
                            .isEmpty());
        }
        assertThat(viewer.getStatus().secretName).isEqualTo("viewer-kubeconfig");
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName("viewer-kubeconfig")
                        .get()
                        .getData())
                .as("the revoked kubeconfig's data is gone")
                .isNullOrEmpty();
    }

    private static void bindViewTo(KubernetesClient admin, String group) {
        // The API server makes its bootstrap roles one by one after it starts serving, and is ready once all are
        // there (until then /readyz answers 500): "view" alone may be made before the roles aggregated into it.
        await().atMost(Duration.ofSeconds(30))
                .ignoreException(KubernetesClientException.class)
                .until(() -> "ok".equals(admin.raw(admin.getMasterUrl() + "readyz")));
        aggregate(admin, "view");
        admin.rbac()
                .clusterRoleBindings()
                .resource(new ClusterRoleBindingBuilder()
                        .withNewMetadata()
                        .withName("view-" + group)
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole")
                        .withName("view")
                        .endRoleRef()
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("Group")
                        .withName(group)
                        .endSubject()
                        .build())
                .create();
    }

    /**
     * {@code view} is an aggregated ClusterRole: its rules are those of the roles its selectors match, filled in by
     * kube-controller-manager's clusterrole-aggregation controller, which a tenant control plane runs but this bare
     * API server does not. The test does that controller's work, once.
     */
    private static void aggregate(KubernetesClient admin, String name) {
        ClusterRole role = admin.rbac().clusterRoles().withName(name).get();
        List<PolicyRule> rules = new ArrayList<>();
        for (LabelSelector selector : role.getAggregationRule().getClusterRoleSelectors()) {
            admin.rbac().clusterRoles().withLabels(selector.getMatchLabels()).list().getItems().stream()
                    .filter(r -> !r.getMetadata().getName().equals(name))
                    .forEach(r -> rules.addAll(r.getRules()));
        }
        ApiServerSupport.edit(admin.rbac().clusterRoles().withName(name), r -> {
            r.setRules(rules);
            return r;
        });
    }

    private static KubernetesClient tenantClient(TenantApiServer tenant, String kubeconfig) {
        Config config = Config.fromKubeconfig(tenant.localKubeconfig(kubeconfig));
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static boolean isReady(KubeconfigRequest request) {
        return Conditions.isTrue(request.getStatus().conditions, Conditions.READY);
    }

    private static void apply(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster cluster(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static void annotateCluster(String name, String value) {
        ApiServerSupport.edit(
                client.resources(SKSCluster.class).inNamespace(namespace).withName(name), c -> {
                    Map<String, String> annotations = new HashMap<>(
                            c.getMetadata().getAnnotations() == null
                                    ? Map.of()
                                    : c.getMetadata().getAnnotations());
                    annotations.put(Labels.ROTATE_CLIENTS_CA_ANNOTATION, value);
                    c.getMetadata().setAnnotations(annotations);
                    return c;
                });
    }

    private static KubeconfigRequest awaitRequest(String name, Predicate<KubeconfigRequest> condition) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.resources(KubeconfigRequest.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        r -> r != null && r.getStatus() != null && condition.test(r));
    }

    private static String issued(String request) {
        return secretValue(Names.kubeconfigSecret(request), Names.KUBECONFIG_REQUEST_KEY);
    }

    private static String secretValue(String name, String key) {
        return new String(
                Base64.getDecoder()
                        .decode(client.secrets()
                                .inNamespace(namespace)
                                .withName(name)
                                .get()
                                .getData()
                                .get(key)),
                StandardCharsets.UTF_8);
    }
}
