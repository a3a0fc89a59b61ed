package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A kubeconfig (apiVersion v1, kind Config) with one cluster, one user authenticated by a client certificate, and one
 * context {@code <user>@<cluster>}, everything embedded as base64 data. The result holds the private key: store it
 * in a Secret, never log it. Errors never quote the inputs.
 */
public final class KubeconfigRenderer {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private KubeconfigRenderer() {}

  public static String contextName(String userName, String clusterName) {
    return userName + "@" + clusterName;
  }

  /**
   * @param clusterName         name of the cluster entry (the SKSCluster's name)
   * @param serverUrl           {@code https://host:port} of the API server
   * @param caCertificatePem    the CA that signed the API server's serving certificate
   * @param userName            name of the user entry (usually the certificate's CN)
   * @param credentials         the client certificate and key
   */
  public static String render(String clusterName, String serverUrl, String caCertificatePem, String userName,
      ClientCredentials credentials) {
    requireText(clusterName, "cluster name");
    requireText(userName, "user name");
    if (serverUrl == null || !serverUrl.startsWith("https://") || serverUrl.length() <= "https://".length()) {
      throw new IllegalArgumentException("the server URL must be an https:// URL, was '" + serverUrl + "'");
    }
    if (caCertificatePem == null || !caCertificatePem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("the CA certificate is not a PEM certificate");
    }
    if (credentials == null) {
      throw new IllegalArgumentException("client credentials are required");
    }
    String context = contextName(userName, clusterName);
    Config config = new ConfigBuilder()
        .withApiVersion("v1")
        .withKind("Config")
        .withClusters(new NamedClusterBuilder()
            .withName(clusterName)
            .withNewCluster()
            .withServer(serverUrl)
            .withCertificateAuthorityData(base64(caCertificatePem))
            .endCluster()
            .build())
        .withUsers(new NamedAuthInfoBuilder()
            .withName(userName)
            .withNewUser()
            .withClientCertificateData(base64(credentials.certificatePem()))
            .withClientKeyData(base64(credentials.privateKeyPem()))
            .endUser()
            .build())
        .withContexts(new NamedContextBuilder()
            .withName(context)
            .withNewContext().withCluster(clusterName).withUser(userName).endContext()
            .build())
        .withCurrentContext(context)
        .build();
    try {
      return SERIALIZATION.asYaml(config);
    } catch (RuntimeException e) {
      // Deliberately without the cause: a serialization error may quote the value it failed on.
      throw new IllegalStateException("cannot serialize the kubeconfig for " + context + " ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the " + what + " must not be blank");
    }
  }
}
