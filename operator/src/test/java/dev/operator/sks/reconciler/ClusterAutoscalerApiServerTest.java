package dev.operator.sks.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.Nodepool;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.autoscaling.AutoscalerIdentity;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.rendering.ClusterAutoscalerRenderer;
import dev.operator.sks.rendering.KubeconfigRenderer;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.support.SecretData;
import dev.operator.sks.tenant.TenantBootstrapObjects;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.SharedApiServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster with an autoscaled pool runs its cluster-autoscaler next to its control plane, with a client certificate
 * for the operator's provider naming the cluster and a tenant kubeconfig from the cluster CA; without one it runs none;
 * and a same-named Deployment it did not make is never touched.
 */
@SharedApiServer
class ClusterAutoscalerApiServerTest {
    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static SksOperator operator;
    String namespace;
    ClusterStandIn kubelet;

    @BeforeAll
    static void startOperator() {
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
        namespace = ApiServerSupport.newNamespace(client, "cas");
        kubelet = ClusterStandIn.watch(client, namespace);
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Test
    void anAutoscaledPoolGetsItsClusterAnAutoscalerWhichGoesWithTheAutoscaling() throws Exception {
        create(ControlPlaneApiServerTest.cluster("scaled", "1.33", "ClusterIP"));
        create(pool("elastic", "scaled", true));
        SKSCluster cluster = awaitCluster("scaled");
        String uid = cluster.getMetadata().getUid();

        Deployment deployment = await().atMost(Duration.ofSeconds(60))
                .until(() -> deployment(Names.clusterAutoscalerDeployment("scaled")), d -> d != null);
        assertOwnedBy(deployment, uid);
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .startsWith("registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.");

        Secret credentials = secret(Names.clusterAutoscalerSecret("scaled"));
        assertOwnedBy(credentials, uid);
        X509Certificate authority = Pem.parseCertificate(SecretData.decode(
                client.secrets()
                        .inNamespace(operatorNamespace())
                        .withName(Names.AUTOSCALER_CA_SECRET)
                        .get(),
                "tls.crt"));
        X509Certificate clientCertificate =
                Pem.parseCertificate(SecretData.decode(credentials, ClusterAutoscalerRenderer.CLIENT_CERT_KEY));
        clientCertificate.verify(authority.getPublicKey());
        assertThat(AutoscalerIdentity.of(clientCertificate)).contains(new AutoscalerIdentity(namespace, "scaled", uid));
        assertThat(SecretData.decode(credentials, ClusterAutoscalerRenderer.CA_KEY))
                .isEqualTo(Pem.encodeCertificate(authority));
        assertThat(SecretData.decode(credentials, ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY))
                .startsWith("address: \"" + ApiServerSupport.testConfig().autoscalerGrpcAddress() + "\"");
        assertThat(SecretData.find(credentials, ClusterAutoscalerRenderer.CLIENT_KEY_KEY))
                .isPresent();

        Secret tenant = secret(Names.clusterAutoscalerKubeconfig("scaled"));
        assertOwnedBy(tenant, uid);
        KubeconfigRenderer.Contents contents = KubeconfigRenderer.read(SecretData.decode(tenant, Names.KUBECONFIG_KEY))
                .orElseThrow();
        X509Certificate clusterCa =
                Pem.parseCertificate(SecretData.decode(secret(Names.clusterCa("scaled")), "tls.crt"));
        X509Certificate tenantCertificate = Pem.parseCertificate(contents.clientCertificatePem());
        tenantCertificate.verify(clusterCa.getPublicKey());
        assertThat(tenantCertificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=" + TenantBootstrapObjects.CLUSTER_AUTOSCALER_USER);

        // The pool stops being autoscaled: the autoscaler and its provider credentials go.
        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("elastic")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"autoscaling\":null}}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> deployment(Names.clusterAutoscalerDeployment("scaled")) == null
                        && client.secrets()
                                        .inNamespace(namespace)
                                        .withName(Names.clusterAutoscalerSecret("scaled"))
                                        .get()
                                == null);
    }

    @Test
    void aSameNamedDeploymentItDidNotMakeIsNeverTouched() {
        Deployment foreign = create(new DeploymentBuilder()
                .withNewMetadata()
                .withName(Names.clusterAutoscalerDeployment("taken"))
                .withLabels(dev.operator.sks.naming.Labels.forComponent("taken", ClusterAutoscalerRenderer.COMPONENT))
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "mine"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "mine"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("mine")
                .withImage("example.org/mine:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build());
        // Its spec and owners, not its resourceVersion: the management cluster's controller-manager writes its status.
        String before = fingerprint(foreign);
        create(ControlPlaneApiServerTest.cluster("taken", "1.33", "ClusterIP"));
        // Not autoscaled: the Deployment is not the cluster's, so it is not removed either.
        create(pool("fixed", "taken", false));
        SKSCluster running = awaitCluster("taken");
        assertThat(Conditions.find(running.getStatus().conditions, Conditions.READY)
                        .map(c -> c.getReason())
                        .orElse(""))
                .isNotEqualTo(NameConflict.REASON);
        assertThat(fingerprint(deployment(Names.clusterAutoscalerDeployment("taken"))))
                .isEqualTo(before);

        client.resources(Nodepool.class)
                .inNamespace(namespace)
                .withName("fixed")
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"autoscaling\":{\"minSize\":0,\"maxSize\":3}}}");
        SKSCluster conflicted = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> clusterNamed("taken"),
                        c -> Conditions.find(c.getStatus().conditions, Conditions.READY)
                                .filter(r -> NameConflict.REASON.equals(r.getReason()))
                                .isPresent());
        assertThat(Conditions.find(conflicted.getStatus().conditions, Conditions.READY)
                        .orElseThrow()
                        .getMessage())
                .startsWith("Deployment " + Names.clusterAutoscalerDeployment("taken") + " exists and was not made");
        assertThat(fingerprint(deployment(Names.clusterAutoscalerDeployment("taken"))))
                .as("left as it was")
                .isEqualTo(before);
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName(Names.clusterAutoscalerSecret("taken"))
                        .get())
                .as("nothing made for an autoscaler that cannot run")
                .isNull();
    }

    private static String fingerprint(Deployment deployment) {
        return deployment.getSpec().toString()
                + deployment.getMetadata().getOwnerReferences()
                + deployment.getMetadata().getLabels()
                + deployment.getMetadata().getAnnotations();
    }

    private String pool(String name, String cluster, boolean autoscaled) {
        return """
        apiVersion: sks.operator.dev/v1alpha1
        kind: Nodepool
        metadata: {name: %s}
        spec: {cluster: %s, size: 0, instanceType: standard.medium%s}
        """.formatted(name, cluster, autoscaled ? ", autoscaling: {minSize: 0, maxSize: 3}" : "");
    }

    private static String operatorNamespace() {
        return ApiServerSupport.testConfig().operatorNamespace();
    }

    private static void assertOwnedBy(HasMetadata object, String uid) {
        assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getUid()).isEqualTo(uid);
            assertThat(owner.getController()).isTrue();
        });
    }

    private SKSCluster awaitCluster(String name) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> clusterNamed(name),
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().state == dev.operator.sks.api.ClusterState.Running);
    }

    private SKSCluster clusterNamed(String name) {
        return client.resources(SKSCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    private <T extends HasMetadata> T create(T object) {
        return client.resource(object).inNamespace(namespace).create();
    }

    private void create(String yaml) {
        HasMetadata resource = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(resource).inNamespace(namespace).create();
    }
}
