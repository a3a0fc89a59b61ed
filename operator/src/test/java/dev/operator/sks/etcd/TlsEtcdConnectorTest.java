package dev.operator.sks.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which etcd client certificate the connector dials with: the cluster's own, read from the operator's cache when it
 * holds it (no request), from the API server when not, and never a same-named Secret the cluster does not control.
 */
@EnableKubernetesMockClient(crud = true)
class TlsEtcdConnectorTest {
    private static final String NAMESPACE = "etcd-tls";
    private static final String URL = "https://demo-etcd-0.demo-etcd-peer.etcd-tls.svc:2379";
    private static final Pki PKI = new BouncyCastlePki(Clock.systemUTC());

    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void theCachedSecretOfTheClusterIsUsedWithoutARequest() throws EtcdException {
        SKSCluster cluster = cluster();
        Secret own = clientSecret(cluster, true);
        EtcdConnector connector = new TlsEtcdConnector().readingSecretsFrom(only(own));
        int before = server.getRequestCount();

        EtcdMembers members = connector.connect(client, cluster, URL);

        assertThat(members).isInstanceOf(HttpEtcdMembers.class);
        assertThat(server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void aSecretTheCacheLacksIsReadFromTheApiServer() throws EtcdException {
        SKSCluster cluster = cluster();
        client.resource(clientSecret(cluster, true)).create();
        EtcdConnector connector = new TlsEtcdConnector().readingSecretsFrom((namespace, name) -> Optional.empty());

        assertThat(connector.connect(client, cluster, URL)).isInstanceOf(HttpEtcdMembers.class);
        assertThat(connector.snapshots(client, cluster, URL).endpoint().toString())
                .isEqualTo(URL);
    }

    @Test
    void aSameNamedSecretTheClusterDoesNotControlIsNeverPresentedToEtcd() {
        SKSCluster cluster = cluster();
        Secret planted = clientSecret(cluster, false);
        client.resource(planted).create();
        EtcdConnector cached = new TlsEtcdConnector().readingSecretsFrom(only(planted));
        EtcdConnector live = new TlsEtcdConnector();

        for (EtcdConnector connector : new EtcdConnector[] {cached, live}) {
            assertThatThrownBy(() -> connector.connect(client, cluster, URL))
                    .isInstanceOf(EtcdException.class)
                    .hasMessage("the Secret demo-apiserver-etcd-client is not the cluster's own (no controller "
                            + "reference to it)");
            assertThatThrownBy(() -> connector.snapshots(client, cluster, URL))
                    .isInstanceOf(EtcdException.class)
                    .hasMessageContaining("is not the cluster's own");
        }
    }

    private static SecretLookup only(Secret secret) {
        return (namespace, name) -> namespace.equals(secret.getMetadata().getNamespace())
                        && name.equals(secret.getMetadata().getName())
                ? Optional.of(secret)
                : Optional.empty();
    }

    private static SKSCluster cluster() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("demo")
                .withNamespace(NAMESPACE)
                .withUid("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
                .build());
        return cluster;
    }

    private static Secret clientSecret(SKSCluster cluster, boolean controlled) {
        IssuedCertificate ca = PKI.createCa("etcd-ca");
        IssuedCertificate certificate = PKI.issue(
                CertificateRequest.builder("kube-apiserver-etcd-client")
                        .clientAuth()
                        .build(),
                ca);
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withName(Names.apiserverEtcdClient("demo"))
                .withNamespace(NAMESPACE)
                .endMetadata()
                .addToData(Names.TLS_CERTIFICATE_KEY, base64(certificate.certificatePem()))
                .addToData(Names.TLS_PRIVATE_KEY_KEY, base64(certificate.privateKeyPem()))
                .addToData(Names.CA_CERTIFICATE_KEY, base64(ca.certificatePem()));
        if (controlled) {
            secret.editMetadata()
                    .withOwnerReferences(Owners.controllerReference(cluster))
                    .endMetadata();
        }
        return secret.build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
