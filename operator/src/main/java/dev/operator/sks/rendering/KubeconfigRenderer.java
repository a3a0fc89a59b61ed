package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.AuthInfoBuilder;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

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
    public static String render(
            String clusterName,
            String serverUrl,
            String caCertificatePem,
            String userName,
            ClientCredentials credentials) {
        requireText(clusterName, "cluster name");
        requireText(userName, "user name");
        if (credentials == null) {
            throw new IllegalArgumentException("client credentials are required");
        }
        return render(
                clusterName,
                serverUrl,
                caCertificatePem,
                userName,
                new AuthInfoBuilder()
                        .withClientCertificateData(base64(credentials.certificatePem()))
                        .withClientKeyData(base64(credentials.privateKeyPem()))
                        .build(),
                null);
    }

    /**
     * A kubeconfig whose user is a bearer token (a ServiceAccount's, from the TokenRequest API), its context set to
     * {@code namespace}: what a client confined to one namespace reads. Holds the token: store it in a Secret.
     */
    public static String renderToken(
            String clusterName,
            String serverUrl,
            String caCertificatePem,
            String userName,
            String token,
            String namespace) {
        requireText(clusterName, "cluster name");
        requireText(userName, "user name");
        requireText(token, "token");
        requireText(namespace, "namespace");
        return render(
                clusterName,
                serverUrl,
                caCertificatePem,
                userName,
                new AuthInfoBuilder().withToken(token).build(),
                namespace);
    }

    /** One cluster, one user, one context (in {@code namespace} when given), current. */
    private static String render(
            String clusterName,
            String serverUrl,
            String caCertificatePem,
            String userName,
            AuthInfo user,
            String namespace) {
        if (serverUrl == null || !serverUrl.startsWith("https://") || serverUrl.length() <= "https://".length()) {
            throw new IllegalArgumentException("the server URL must be an https:// URL, was '" + serverUrl + "'");
        }
        if (caCertificatePem == null || !caCertificatePem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("the CA certificate is not a PEM certificate");
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
                        .withUser(user)
                        .build())
                .withContexts(new NamedContextBuilder()
                        .withName(context)
                        .withNewContext()
                        .withCluster(clusterName)
                        .withUser(userName)
                        .withNamespace(namespace)
                        .endContext()
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

    /** What the operator reads back from a kubeconfig it wrote, to decide whether it must be re-issued. */
    public record Contents(String server, String certificateAuthorityPem, String clientCertificatePem) {}

    /** Empty when the text is not a kubeconfig with one cluster and one certificate-authenticated user. */
    public static Optional<Contents> read(String kubeconfig) {
        try {
            Config config = SERIALIZATION.unmarshal(kubeconfig, Config.class);
            if (config.getClusters().size() != 1 || config.getUsers().size() != 1) {
                return Optional.empty();
            }
            var cluster = config.getClusters().get(0).getCluster();
            var user = config.getUsers().get(0).getUser();
            return Optional.of(new Contents(
                    cluster.getServer(),
                    unbase64(cluster.getCertificateAuthorityData()),
                    unbase64(user.getClientCertificateData())));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The client certificate and key of a kubeconfig this class wrote, so it can be rendered again for another server
     * or CA without a new key. Empty when unreadable; the key never appears in a message.
     */
    public static Optional<ClientCredentials> readCredentials(String kubeconfig) {
        try {
            Config config = SERIALIZATION.unmarshal(kubeconfig, Config.class);
            if (config.getUsers().size() != 1) {
                return Optional.empty();
            }
            var user = config.getUsers().get(0).getUser();
            return Optional.of(new ClientCredentials(
                    unbase64(user.getClientCertificateData()), unbase64(user.getClientKeyData())));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static String unbase64(String data) {
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
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
