package dev.operator.sks.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.TlsTestSupport;
import dev.operator.sks.provider.CloudControllerCredentials;
import dev.operator.sks.provider.ProviderException;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.tenant.TenantClients;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On KubeVirt, a cluster with the cloud-controller addon gets a ServiceAccount of its own in its namespace of the
 * management cluster (with a Role and RoleBinding, all controlled by the cluster) and a kubeconfig with a bound token
 * of it, which the real API server authenticates as that account and authorizes for Services and
 * VirtualMachineInstances of that namespace only. The kubeconfig reaches a real tenant API server with the KubeVirt
 * cloud controller, which rolls on a new token; deleting the cluster deletes the account, and its tokens stop working.
 */
@SharedApiServer
class KubeVirtCloudCredentialsTenantApiServerTest {
    private static final String CLUSTER = "kvccm";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    static ClusterStandIn kubelet;
    static TenantApiServer tenant;
    static String namespace;

    @BeforeAll
    static void connect() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        KubeVirtTestSupport.installKubeVirtCrds(client);
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
    void theCloudControllerGetsATokenConfinedToItsNamespaceRenewedIntoTheTenantAndRevokedWithTheCluster()
            throws Exception {
        namespace = ApiServerSupport.newNamespace(client, "kvccm");
        String elsewhere = ApiServerSupport.newNamespace(client, "kvccm-other");
        OperatorConfig config = OperatorConfig.parse(new String[] {"--http-port=0", "--provider=kubevirt"}, Map.of());
        int tenantPort = TlsTestSupport.freeLoopbackPort();
        TenantClients.ServerOverride toTenant = TenantApiServer.servingOn(tenantPort);
        operator = ApiServerSupport.startOperator(
                client, OperatorServices.loadDefaults(config), new SimpleMeterRegistry(), toTenant);
        create("""
                apiVersion: sks.operator.dev/v1alpha1
                kind: SKSCluster
                metadata: {name: %s}
                spec: {zone: ch-gva-2, version: "1.33", addons: [cloud-controller]}
                """.formatted(CLUSTER));

        SKSCluster issued =
                awaitCluster(c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CLOUD_CREDENTIALS_READY));
        String account = Names.cloudControllerAccount(CLUSTER);
        ServiceAccount serviceAccount = client.serviceAccounts()
                .inNamespace(namespace)
                .withName(account)
                .get();
        Role role =
                client.rbac().roles().inNamespace(namespace).withName(account).get();
        RoleBinding binding = client.rbac()
                .roleBindings()
                .inNamespace(namespace)
                .withName(account)
                .get();
        for (HasMetadata object : new HasMetadata[] {serviceAccount, role, binding, ccmSecret()}) {
            assertThat(Owners.isControlledBy(object, issued))
                    .as(object.getKind())
                    .isTrue();
        }
        assertThat(role.getRules()).isEqualTo(KubeVirtCcmCredentials.RULES);
        assertThat(ccmSecret().getMetadata().getAnnotations())
                .containsKey(Labels.CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION);

        String firstKubeconfig = SecretData.decode(ccmSecret(), Names.INFRA_KUBECONFIG_KEY);
        try (KubernetesClient infra = clientOf(firstKubeconfig)) {
            // Authenticated as the cluster's account, by the real API server.
            assertThat(username(firstKubeconfig)).isEqualTo("system:serviceaccount:" + namespace + ":" + account);
            // Allowed what the cloud controller calls, in the cluster's namespace.
            assertThat(infra.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINE_INSTANCES)
                            .inNamespace(namespace)
                            .list()
                            .getItems())
                    .isEmpty();
            infra.services()
                    .inNamespace(namespace)
                    .resource(new ServiceBuilder()
                            .withNewMetadata()
                            .withName("tenant-lb")
                            .endMetadata()
                            .withNewSpec()
                            .addNewPort()
                            .withPort(80)
                            .endPort()
                            .withSelector(Map.of(Labels.KUBEVIRT_CLUSTER_NAME, CLUSTER))
                            .endSpec()
                            .build())
                    .create();
            infra.services().inNamespace(namespace).withName("tenant-lb").delete();
            // Nothing else: not the namespace's Secrets or VirtualMachines, nothing in another namespace.
            assertForbidden(() -> infra.secrets().inNamespace(namespace).list());
            assertForbidden(() -> infra.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINES)
                    .inNamespace(namespace)
                    .list());
            assertForbidden(() -> infra.genericKubernetesResources(KubeVirtProvider.VIRTUAL_MACHINE_INSTANCES)
                    .inNamespace(elsewhere)
                    .list());
            assertForbidden(() -> infra.services().inNamespace(elsewhere).list());
        }

        // The tenant's cloud controller gets the kubeconfig, and its pods the revision of it.
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort);
        kubelet = ClusterStandIn.watch(client, namespace);
        awaitCluster(c -> c.getStatus().state == ClusterState.Running);
        String secondKubeconfig;
        try (TenantClients tenants = new TenantClients(client, toTenant)) {
            KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> firstKubeconfig.equals(tenantKubeconfig(admin)));
            String firstRevision =
                    ccmSecret().getMetadata().getAnnotations().get(Labels.CCM_CREDENTIALS_KEY_ANNOTATION);
            assertThat(revisionInTenant(admin)).isEqualTo(firstRevision);
            assertThat(admin.configMaps()
                            .inNamespace("kube-system")
                            .withName(Names.KUBEVIRT_CLOUD_CONFIG)
                            .get()
                            .getData()
                            .get("cloud-config"))
                    .contains("namespace: " + namespace);

            // A rotation makes a new token; the cloud controller's pods roll onto it.
            client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .withName(CLUSTER)
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION
                                    + "\":\"1\"}}}");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !firstKubeconfig.equals(SecretData.decode(ccmSecret(), Names.INFRA_KUBECONFIG_KEY)));
            secondKubeconfig = SecretData.decode(ccmSecret(), Names.INFRA_KUBECONFIG_KEY);
            String secondRevision =
                    ccmSecret().getMetadata().getAnnotations().get(Labels.CCM_CREDENTIALS_KEY_ANNOTATION);
            assertThat(secondRevision).isNotEqualTo(firstRevision);
            await().atMost(Duration.ofSeconds(60)).until(() -> secondKubeconfig.equals(tenantKubeconfig(admin)));
            await().atMost(Duration.ofSeconds(60)).until(() -> secondRevision.equals(revisionInTenant(admin)));
        }
        assertThat(username(secondKubeconfig)).isEqualTo("system:serviceaccount:" + namespace + ":" + account);
        // What the documentation says: a token cannot be revoked alone, the replaced one lives until it expires.
        assertThat(username(firstKubeconfig)).isEqualTo("system:serviceaccount:" + namespace + ":" + account);

        // Nothing of the token in the cluster's status or Events.
        String token = tokenOf(secondKubeconfig);
        String status = client.getKubernetesSerialization()
                .asJson(client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName(CLUSTER)
                        .get()
                        .getStatus());
        String events = client.getKubernetesSerialization()
                .asJson(client.v1().events().inNamespace(namespace).list());
        assertThat(status + events).doesNotContain(token);
        assertThat(events).contains("CloudCredentialsIssued", "CloudCredentialsRotated");

        client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(CLUSTER)
                .delete();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get()
                        == null);
        assertThat(client.serviceAccounts()
                        .inNamespace(namespace)
                        .withName(account)
                        .get())
                .isNull();
        assertThat(client.rbac()
                        .roles()
                        .inNamespace(namespace)
                        .withName(account)
                        .get())
                .isNull();
        assertThat(client.rbac()
                        .roleBindings()
                        .inNamespace(namespace)
                        .withName(account)
                        .get())
                .isNull();
        // Deleting the account revoked every token it had (once the API server's short authentication cache lets go).
        await().atMost(Duration.ofSeconds(60))
                .until(() -> username(firstKubeconfig) == null && username(secondKubeconfig) == null);
    }

    @Test
    void anAccountOfThatNameTheClusterDoesNotControlIsNeverUsed() throws Exception {
        String own = ApiServerSupport.newNamespace(client, "kvccm-taken");
        ServiceAccount someoneElses = client.serviceAccounts()
                .inNamespace(own)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(Names.cloudControllerAccount("taken"))
                        .endMetadata()
                        .build())
                .create();
        KubeVirtCcmCredentials credentials = new KubeVirtCcmCredentials(client, Optional.empty(), Clock.systemUTC());
        var cluster = new CloudControllerCredentials.Cluster("0d3f-uid", own, "taken", "ch-gva-2");

        assertThatThrownBy(() -> credentials.issue(cluster, "ignored"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("ServiceAccount " + Names.cloudControllerAccount("taken"))
                .hasMessageContaining("not this cluster's");
        credentials.deleteRole(cluster);

        ServiceAccount after = client.serviceAccounts()
                .inNamespace(own)
                .withName(Names.cloudControllerAccount("taken"))
                .get();
        assertThat(after.getMetadata().getUid())
                .isEqualTo(someoneElses.getMetadata().getUid());
        assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(client.rbac().roles().inNamespace(own).list().getItems()).isEmpty();
    }

    /** Whom the API server authenticates a kubeconfig's token as; null when it does not. */
    private static String username(String kubeconfig) {
        TokenReview review = client.authentication()
                .v1()
                .tokenReviews()
                .create(new TokenReviewBuilder()
                        .withNewSpec()
                        .withToken(tokenOf(kubeconfig))
                        .endSpec()
                        .build());
        return Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                ? review.getStatus().getUser().getUsername()
                : null;
    }

    private static String tokenOf(String kubeconfig) {
        return client.getKubernetesSerialization()
                .unmarshal(kubeconfig, io.fabric8.kubernetes.api.model.Config.class)
                .getUsers()
                .get(0)
                .getUser()
                .getToken();
    }

    private static KubernetesClient clientOf(String kubeconfig) {
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build();
    }

    private static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
    }

    private static String tenantKubeconfig(KubernetesClient admin) {
        Secret copy = admin.secrets()
                .inNamespace("kube-system")
                .withName(Names.KUBEVIRT_INFRA_KUBECONFIG_SECRET)
                .get();
        return copy == null ? null : SecretData.decode(copy, Names.INFRA_KUBECONFIG_KEY);
    }

    private static String revisionInTenant(KubernetesClient admin) {
        Deployment deployment = admin.apps()
                .deployments()
                .inNamespace("kube-system")
                .withName(Names.KUBEVIRT_CLOUD_CONTROLLER_MANAGER)
                .get();
        return deployment == null
                ? null
                : deployment
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get(Labels.CREDENTIALS_REVISION_ANNOTATION);
    }

    private static Secret ccmSecret() {
        return client.secrets()
                .inNamespace(namespace)
                .withName(Names.ccmCredentials(CLUSTER))
                .get();
    }

    private static void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }

    private static SKSCluster awaitCluster(Predicate<SKSCluster> condition) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> client.resources(SKSCluster.class)
                                .inNamespace(namespace)
                                .withName(CLUSTER)
                                .get(),
                        c -> c != null && c.getStatus() != null && condition.test(c));
    }
}
