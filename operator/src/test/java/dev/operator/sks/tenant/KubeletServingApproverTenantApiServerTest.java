package dev.operator.sks.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.join.KubeletServingRequests;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.runtime.OperatorServices;
import dev.operator.sks.runtime.SksOperator;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.testing.ApiServerSupport;
import dev.operator.sks.testing.TenantApiServer;
import dev.operator.sks.tenant.TenantClients.ClusterKey;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kubelet serving certificates against a real tenant kube-apiserver running the cluster's own PKI: a kubelet
 * authenticated as its Node posts the request it makes with serverTLSBootstrap, and the approver approves it when it
 * names only the machine's own name and addresses, leaves it pending when it names another address, and denies a
 * subject that is not the node.
 */
@EnableKubeAPIServer
class KubeletServingApproverTenantApiServerTest {
  private static final String CLUSTER = "serving";
  private static final String NODE = "pool-abc12";

  @KubeConfig
  static String kubeconfig;
  static KubernetesClient client;
  static SksOperator operator;
  static String namespace;
  static SKSCluster cluster;
  static TenantApiServer tenant;
  static TenantClients tenants;

  @BeforeAll
  static void clusterWithTenantApiServer() throws Exception {
    client = ApiServerSupport.client(kubeconfig);
    ApiServerSupport.installCrds(client);
    operator = ApiServerSupport.startOperator(client, OperatorServices.loadDefaults(ApiServerSupport.testConfig()));
    namespace = ApiServerSupport.newNamespace(client, "serving");
    client.resource(ApiServerSupport.load(client, SKSCluster.class, """
        apiVersion: sks.operator.dev/v1alpha1
        kind: SKSCluster
        metadata: {name: %s}
        spec: {zone: ch-gva-2, version: "1.33", controlPlane: {exposure: ClusterIP}}
        """.formatted(CLUSTER))).inNamespace(namespace).create();
    cluster = await().atMost(Duration.ofSeconds(60)).until(
        () -> client.resources(SKSCluster.class).inNamespace(namespace).withName(CLUSTER).get(),
        c -> c != null && c.getStatus() != null && c.getStatus().endpoint != null
            && Conditions.isTrue(c.getStatus().conditions, Conditions.CERTIFICATES_READY));
    tenant = TenantApiServer.start(client, namespace, CLUSTER);
    tenants = new TenantClients(client, (key, server) -> tenant.url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (tenants != null) {
      tenants.close();
    }
    if (tenant != null) {
      tenant.close();
    }
    operator.close();
    client.close();
  }

  @Test
  void onlyAMachinesOwnNamesAreApprovedAndAForeignSubjectIsDenied() throws Exception {
    String own;
    String foreignAddress;
    String foreignSubject;
    try (KubernetesClient kubelet = asNode(NODE)) {
      own = post(kubelet, "CN=system:node:" + NODE + ",O=system:nodes", List.of(NODE), List.of("10.0.0.7"));
      foreignAddress = post(kubelet, "CN=system:node:" + NODE + ",O=system:nodes", List.of(NODE),
          List.of("10.0.0.99"));
      foreignSubject = post(kubelet, "CN=system:node:pool-other,O=system:nodes", List.of(NODE), List.of());
    }
    KubernetesClient admin = tenants.client(cluster).orElseThrow();
    try (KubeletServingApprover approver = new KubeletServingApprover(tenants)) {
      approver.track(namespace + "/pool", ClusterKey.of(cluster), Map.of(NODE, List.of("10.0.0.7")));
      // Rounds as the schedule runs them: a freshly started API server refuses approvals for a moment.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        approver.decidePending();
        assertThat(conditions(admin, own)).singleElement().satisfies(c -> {
          assertThat(c.getType()).isEqualTo("Approved");
          assertThat(c.getReason()).isEqualTo("NodeServingCertificate");
        });
        assertThat(conditions(admin, foreignSubject)).singleElement().satisfies(c -> {
          assertThat(c.getType()).isEqualTo("Denied");
          assertThat(c.getReason()).isEqualTo("SubjectNotTheNode");
        });
      });
      assertThat(conditions(admin, foreignAddress)).as("pending").isEmpty();
    }
  }

  /** A client of the tenant with the Node's client certificate, as a joined kubelet has it. */
  private static KubernetesClient asNode(String node) {
    Secret caSecret = client.secrets().inNamespace(namespace).withName(Names.clusterCa(CLUSTER)).get();
    IssuedCertificate ca = IssuedCertificate.fromPem(decode(caSecret, Names.TLS_CERTIFICATE_KEY),
        decode(caSecret, Names.TLS_PRIVATE_KEY_KEY));
    IssuedCertificate identity = new BouncyCastlePki(Clock.systemUTC()).issue(CertificateRequest
        .builder("system:node:" + node).organizations("system:nodes").clientAuth().build(), ca);
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(tenant.url())
        .withCaCertData(encode(ca.certificatePem()))
        .withClientCertData(encode(identity.certificatePem()))
        .withClientKeyData(encode(identity.privateKeyPem()))
        .withClientKeyAlgo("EC")
        .withRequestRetryBackoffLimit(0)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String post(KubernetesClient kubelet, String subject, List<String> dnsNames, List<String> ips)
      throws Exception {
    CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
        .withNewMetadata().withGenerateName("csr-").endMetadata()
        .withNewSpec()
        .withSignerName(KubeletServingRequests.SIGNER)
        .withUsages("digital signature", "key encipherment", "server auth")
        .withRequest(dev.operator.sks.join.KubeletServingRequestsTest.request(subject, dnsNames, ips))
        .endSpec()
        .build();
    return kubelet.certificates().v1().certificateSigningRequests().resource(csr).create().getMetadata().getName();
  }

  private static List<CertificateSigningRequestCondition> conditions(KubernetesClient admin, String name) {
    CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
    return csr.getStatus() == null || csr.getStatus().getConditions() == null ? List.of()
        : csr.getStatus().getConditions();
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static String encode(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }
}
