package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import dev.operator.sks.testing.TenantApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole control-plane reconcile against a real API server, with the test standing in for the kubelet. */
@SharedApiServer
class ControlPlaneApiServerTest {
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
        namespace = ApiServerSupport.newNamespace(client, "cp");
    }

    @Test
    void aStarterClusterGetsItsPkiAndWorkloadsAndBecomesReadyOnceThoseAreAvailable() throws Exception {
        apply(cluster("alpha", "1.33", "ClusterIP"));
        awaitCluster("alpha", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        for (String secret : List.of(
                Names.clusterCa("alpha"),
                Names.etcdCa("alpha"),
                Names.frontProxyCa("alpha"),
                Names.clientsCa("alpha"),
                Names.serviceAccountKeys("alpha"),
                Names.adminKubeconfig("alpha"),
                Names.apiserverCertificate("alpha"),
                Names.apiserverKubeletClient("alpha"),
                Names.apiserverEtcdClient("alpha"),
                Names.etcdServerCertificate("alpha"),
                Names.etcdPeerCertificate("alpha"),
                Names.frontProxyClient("alpha"),
                Names.controllerManagerKubeconfig("alpha"),
                Names.schedulerKubeconfig("alpha"),
                Names.konnectivityKubeconfig("alpha"),
                Names.clientCaBundle("alpha"))) {
            assertOwnedByCluster(
                    client.secrets().inNamespace(namespace).withName(secret).get(), "alpha");
        }
        assertOwnedByCluster(
                client.configMaps()
                        .inNamespace(namespace)
                        .withName(Names.caCertificates("alpha"))
                        .get(),
                "alpha");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(namespace)
                                .list()
                                .getItems())
                        .filteredOn(e -> "CertificatesIssued".equals(e.getReason()))
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage())
                                .startsWith("issued keys and certificates in Secrets alpha-ca, ")
                                .doesNotContain("BEGIN")));
        StatefulSet etcd = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> client.apps()
                                .statefulSets()
                                .inNamespace(namespace)
                                .withName(Names.etcdStatefulSet("alpha"))
                                .get(),
                        s -> s != null);
        assertOwnedByCluster(etcd, "alpha");
        assertThat(etcd.getSpec().getReplicas()).isEqualTo(1);
        for (String deployment : List.of(
                Names.apiserverDeployment("alpha"),
                Names.controllerManagerDeployment("alpha"),
                Names.schedulerDeployment("alpha"))) {
            assertOwnedByCluster(
                    await().atMost(Duration.ofSeconds(30))
                            .until(
                                    () -> client.apps()
                                            .deployments()
                                            .inNamespace(namespace)
                                            .withName(deployment)
                                            .get(),
                                    d -> d != null),
                    "alpha");
        }
        SKSCluster creating = cluster("alpha");
        assertThat(creating.getStatus().state).isEqualTo(ClusterState.Creating);
        assertThat(Conditions.find(creating.getStatus().conditions, Conditions.READY)
                        .orElseThrow()
                        .getStatus())
                .isEqualTo("False");

        try (ClusterStandIn kubelet = ClusterStandIn.watch(client, namespace)) {
            SKSCluster running = awaitCluster("alpha", c -> c.getStatus().state == ClusterState.Running);
            assertThat(running.getStatus().version).isEqualTo("1.33.4");
            assertThat(running.getStatus().availableUpgrades).contains("1.34.0");
            Service service = client.services()
                    .inNamespace(namespace)
                    .withName(Names.apiserverService("alpha"))
                    .get();
            assertThat(running.getStatus().endpoint)
                    .isEqualTo("https://" + service.getSpec().getClusterIP() + ":443");
            // The Service is made before the certificates, so the serving certificate names its ClusterIP from the
            // first issue on: never issued again for it, and the API server's Deployment never rolled for it.
            X509Certificate serving =
                    Pem.parseCertificate(secretValue(Names.apiserverCertificate("alpha"), Names.TLS_CERTIFICATE_KEY));
            assertThat(serving.getSubjectAlternativeNames())
                    .anySatisfy(san ->
                            assertThat(san.get(1)).isEqualTo(service.getSpec().getClusterIP()));
            assertThat(client.apps()
                            .deployments()
                            .inNamespace(namespace)
                            .withName(Names.apiserverDeployment("alpha"))
                            .get()
                            .getMetadata()
                            .getGeneration())
                    .isEqualTo(1L);
            // This test's tenant API server never answers (its pods cannot run here): that shows, and blocks nothing.
            SKSCluster unreachable = awaitCluster(
                    "alpha",
                    c -> Conditions.find(c.getStatus().conditions, Conditions.TENANT_REACHABLE)
                            .map(t -> "TenantUnreachable".equals(t.getReason()))
                            .orElse(false));
            assertThat(unreachable.getStatus().state).isEqualTo(ClusterState.Running);
            for (String type : List.of(Conditions.ETCD_READY, Conditions.CONTROL_PLANE_READY, Conditions.READY)) {
                Condition condition =
                        Conditions.find(running.getStatus().conditions, type).orElseThrow();
                assertThat(condition.getStatus()).as(type).isEqualTo("True");
                assertThat(condition.getObservedGeneration())
                        .isEqualTo(running.getMetadata().getGeneration());
            }
        }
    }

    @Test
    void theGeneratedPkiRunsARealApiServerAndTheAdminKubeconfigIsAClusterAdmin() throws Exception {
        apply(cluster("beta", "1.33", "ClusterIP"));
        awaitCluster("beta", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        try (TenantApiServer tenant = TenantApiServer.start(client, namespace, "beta")) {
            String admin = tenant.localKubeconfig(secretValue(Names.adminKubeconfig("beta"), Names.KUBECONFIG_KEY));
            try (KubernetesClient tenantClient = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(admin))
                    .build()) {
                // The API server makes its system namespaces shortly after it starts serving.
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(
                                        tenantClient.namespaces().list().getItems())
                                .extracting(n -> n.getMetadata().getName())
                                .contains("default", "kube-system"));
                tenantClient
                        .configMaps()
                        .inNamespace("default")
                        .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("written-by-admin")
                                .endMetadata()
                                .build())
                        .create();
            }
            String scheduler =
                    tenant.localKubeconfig(secretValue(Names.schedulerKubeconfig("beta"), Names.KUBECONFIG_KEY));
            try (KubernetesClient schedulerClient = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(scheduler))
                    .build()) {
                // Authenticated as system:kube-scheduler, which has no right to Secrets: a 403, not a 401.
                assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                                        io.fabric8.kubernetes.client.KubernetesClientException.class,
                                        () -> schedulerClient
                                                .secrets()
                                                .inNamespace("kube-system")
                                                .list())
                                .getCode())
                        .isEqualTo(403);
            }
        }
    }

    @Test
    void anEndpointChangeReissuesOnlyTheServingCertificateAndRollsTheApiServer() throws Exception {
        apply(cluster("gamma", "1.33", "LoadBalancer"));
        awaitCluster("gamma", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        Deployment before = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> client.apps()
                                .deployments()
                                .inNamespace(namespace)
                                .withName(Names.apiserverDeployment("gamma"))
                                .get(),
                        d -> d != null);
        String etcdServerBefore = secretValue(Names.etcdServerCertificate("gamma"), Names.TLS_CERTIFICATE_KEY);
        String apiserverBefore = secretValue(Names.apiserverCertificate("gamma"), Names.TLS_CERTIFICATE_KEY);

        Service service = client.services()
                .inNamespace(namespace)
                .withName(Names.apiserverService("gamma"))
                .get();
        service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
                .withNewLoadBalancer()
                .withIngress(
                        new LoadBalancerIngressBuilder().withIp("203.0.113.10").build())
                .endLoadBalancer()
                .build());
        client.resource(service).updateStatus();

        awaitCluster("gamma", c -> "https://203.0.113.10:443".equals(c.getStatus().endpoint));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !secretValue(Names.apiserverCertificate("gamma"), Names.TLS_CERTIFICATE_KEY)
                        .equals(apiserverBefore));
        X509Certificate serving =
                Pem.parseCertificate(secretValue(Names.apiserverCertificate("gamma"), Names.TLS_CERTIFICATE_KEY));
        assertThat(serving.getSubjectAlternativeNames())
                .anySatisfy(san -> assertThat(san.get(1)).isEqualTo("203.0.113.10"));
        assertThat(secretValue(Names.etcdServerCertificate("gamma"), Names.TLS_CERTIFICATE_KEY))
                .isEqualTo(etcdServerBefore);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !podHash(Names.apiserverDeployment("gamma"))
                        .equals(before.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get(Labels.CERTIFICATES_HASH_ANNOTATION)));
    }

    @Test
    void aMissingCertificateAuthorityIsAnErrorNeverASilentNewCa() {
        apply(cluster("delta", "1.33", "ClusterIP"));
        awaitCluster("delta", c -> Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
        client.secrets()
                .inNamespace(namespace)
                .withName(Names.clusterCa("delta"))
                .delete();
        SKSCluster broken = awaitCluster(
                "delta",
                c -> Conditions.find(c.getStatus().conditions, Conditions.CERTIFICATES_READY)
                        .map(x -> "CertificateAuthorityMissing".equals(x.getReason()))
                        .orElse(false));
        assertThat(broken.getStatus().state).isEqualTo(ClusterState.Error);
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.clusterCa("delta"))
                        .get())
                .isNull();
    }

    private String podHash(String deployment) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(Labels.CERTIFICATES_HASH_ANNOTATION);
    }

    private String secretValue(String name, String key) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static void assertOwnedByCluster(HasMetadata object, String cluster) {
        assertThat(object).as("object of " + cluster).isNotNull();
        assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("SKSCluster");
            assertThat(owner.getName()).isEqualTo(cluster);
            assertThat(owner.getController()).isTrue();
        });
        assertThat(object.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, cluster);
    }

    static String cluster(String name, String version, String exposure) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "%s", controlPlane: {exposure: %s}}
        """.formatted(name, version, exposure);
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
