package dev.operator.sks.provider.exoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operator.sks.api.ClusterState;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.config.OperatorServices;
import dev.operator.sks.demo.ClusterStandIn;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.TlsTestSupport;
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
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On Exoscale, a cluster with the cloud-controller addon gets an API key of its own through IAM (against the fake API,
 * signatures checked), kept by the operator and copied into a real tenant API server's
 * {@code kube-system/exoscale-credentials}; rotated on the annotation (the old key then signs nothing), and revoked
 * with its role when the cluster is deleted.
 */
@SharedApiServer
class CloudCredentialsTenantApiServerTest {
    private static final String CLUSTER = "ccm";

    @KubeConfig
    static String kubeconfig;

    static KubernetesClient client;
    static FakeExoscaleApi fake;
    static SksOperator operator;
    static ClusterStandIn kubelet;
    static TenantApiServer tenant;
    static String namespace;

    @BeforeAll
    static void connect() throws Exception {
        client = ApiServerSupport.client(kubeconfig);
        fake = new FakeExoscaleApi();
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
        fake.close();
        client.close();
    }

    @Test
    void theCloudControllerGetsItsOwnKeyRotatedOnRequestAndRevokedWithTheCluster() throws Exception {
        namespace = ApiServerSupport.newNamespace(client, "ccm");
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("exoscale-root")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withData(SecretData.encode(
                                Map.of("api-key", FakeExoscaleApi.API_KEY, "api-secret", FakeExoscaleApi.API_SECRET)))
                        .build())
                .create();
        OperatorConfig config = OperatorConfig.parse(
                new String[] {
                    "--http-port=0",
                    "--provider=exoscale",
                    "--exoscale-api-endpoint=" + fake.endpoint("/{zone}"),
                    "--exoscale-credentials-secret=" + namespace + "/exoscale-root"
                },
                Map.of());
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
        Secret stored = ccmSecret();
        assertThat(Owners.isControlledBy(stored, issued)).isTrue();
        String firstKey = SecretData.decode(stored, "api-key");
        String firstSecret = SecretData.decode(stored, "api-secret");
        assertThat(fake.apiKeys()).extracting(k -> k.get("key")).containsExactly(firstKey);
        assertThat(fake.roles())
                .singleElement()
                .satisfies(role -> assertThat(role.get("labels"))
                        .isEqualTo(Map.of(
                                ExoscaleCcmCredentials.CLUSTER_UID_LABEL,
                                issued.getMetadata().getUid())));
        assertThat(signedWith(firstKey, firstSecret).get("/instance").has("instances"))
                .isTrue();

        // The tenant's cloud controller reads its copy.
        tenant = TenantApiServer.start(client, namespace, CLUSTER, tenantPort);
        kubelet = ClusterStandIn.watch(client, namespace);
        awaitCluster(c -> c.getStatus().state == ClusterState.Running);
        try (TenantClients tenants = new TenantClients(client, toTenant)) {
            KubernetesClient admin = tenants.client(namespace, CLUSTER).orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> firstKey.equals(tenantKey(admin)));
            Secret copy = admin.secrets()
                    .inNamespace("kube-system")
                    .withName(Names.EXOSCALE_CREDENTIALS_SECRET)
                    .get();
            assertThat(SecretData.decode(copy, "api-secret")).isEqualTo(firstSecret);
            assertThat(SecretData.decode(copy, "api-endpoint")).endsWith("/ch-gva-2/v2");

            client.resources(SKSCluster.class)
                    .inNamespace(namespace)
                    .withName(CLUSTER)
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION
                                    + "\":\"1\"}}}");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> fake.apiKeys().size() == 1
                            && !fake.apiKeys().get(0).get("key").equals(firstKey));
            String secondKey = (String) fake.apiKeys().get(0).get("key");
            await().atMost(Duration.ofSeconds(60)).until(() -> secondKey.equals(tenantKey(admin)));
            assertThat(SecretData.decode(ccmSecret(), "api-key")).isEqualTo(secondKey);
            assertThat(ccmSecret().getMetadata().getAnnotations())
                    .doesNotContainKey(Labels.CCM_RETIRED_KEYS_ANNOTATION);
        }
        assertThatThrownBy(() -> signedWith(firstKey, firstSecret).get("/instance"))
                .isInstanceOf(ExoscaleApiException.class)
                .hasMessageContaining("403");
        assertThat(fake.roles()).hasSize(1);

        // Nothing of the key in the cluster's status or Events.
        String status = client.getKubernetesSerialization()
                .asJson(client.resources(SKSCluster.class)
                        .inNamespace(namespace)
                        .withName(CLUSTER)
                        .get()
                        .getStatus());
        String events = client.getKubernetesSerialization()
                .asJson(client.v1().events().inNamespace(namespace).list());
        assertThat(status + events).doesNotContain(firstSecret, firstKey);
        assertThat(events).contains("CloudCredentialsIssued", "CloudCredentialsRotated", "CloudCredentialsRevoked");

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
        assertThat(fake.apiKeys()).isEmpty();
        assertThat(fake.roles()).isEmpty();
    }

    private static String tenantKey(KubernetesClient admin) {
        Secret copy = admin.secrets()
                .inNamespace("kube-system")
                .withName(Names.EXOSCALE_CREDENTIALS_SECRET)
                .get();
        return copy == null ? null : SecretData.decode(copy, "api-key");
    }

    private static Secret ccmSecret() {
        return client.secrets()
                .inNamespace(namespace)
                .withName(Names.ccmCredentials(CLUSTER))
                .get();
    }

    private static ExoscaleApi signedWith(String key, String secret) {
        return new ExoscaleApi(
                ExoscaleApi.newHttpClient(),
                fake.endpoint("/ch-gva-2"),
                ExoscaleCredentialsSource.of(new ExoscaleCredentials(key, secret)),
                Clock.systemUTC(),
                new ObjectMapper());
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
