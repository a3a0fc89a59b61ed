package dev.operator.sks.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.SignatureException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An old kubeconfig against the restored cluster's PKI: the client certificate it holds (issued under the old
 * cluster's CA) verifies against the CA the restored cluster trusts, and a serving certificate the restored cluster
 * issues verifies against the CA the old kubeconfig carries. A cluster that got new CAs instead would fail both.
 */
class RestoredPkiTest {
    static final Pki PKI = new BouncyCastlePki(Clock.systemUTC());

    @Test
    void anOldKubeconfigTrustsAndIsTrustedByTheRestoredCluster() throws Exception {
        Map<String, Secret> old = new LinkedHashMap<>();
        Map<CaBundle.Role, IssuedCertificate> oldCas = new LinkedHashMap<>();
        for (CaBundle.Role role : CaBundle.Role.values()) {
            IssuedCertificate ca = PKI.createCa(role.name().toLowerCase());
            oldCas.put(role, ca);
            String name = role.secretName("old");
            old.put(
                    name,
                    new SecretBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withType("kubernetes.io/tls")
                            .withData(SecretData.encode(
                                    Map.of("tls.crt", ca.certificatePem(), "tls.key", ca.privateKeyPem())))
                            .build());
        }
        IssuedCertificate oldAdmin = PKI.issue(
                CertificateRequest.builder("kubernetes-admin")
                        .organizations("system:masters")
                        .clientAuth()
                        .build(),
                oldCas.get(CaBundle.Role.CLUSTER_CA));
        String oldKubeconfigCa = oldCas.get(CaBundle.Role.CLUSTER_CA).certificatePem();

        byte[] key = new byte[32];
        CaBundleCipher cipher = new CaBundleCipher(key);
        String objectKey = "sks/ns/old/uid-old/20261130T000000Z/ca-bundle.enc";
        byte[] sealed = cipher.encrypt(CaBundle.of("old", old).toJson(), "uid-old", objectKey);
        CaBundle restored = CaBundle.fromJson(cipher.decrypt(sealed, "uid-old", objectKey), objectKey);

        // What ClusterRestore writes for the new cluster "new": the same material under its own names.
        CaBundle.Entry clusterCa = restored.entries().get(CaBundle.Role.CLUSTER_CA);
        Secret newClusterCa = new SecretBuilder()
                .withNewMetadata()
                .withName(CaBundle.Role.CLUSTER_CA.secretName("new"))
                .endMetadata()
                .withData(clusterCa.data())
                .build();
        assertThat(newClusterCa.getMetadata().getName()).isEqualTo(Names.clusterCa("new"));
        IssuedCertificate restoredCa = IssuedCertificate.fromPem(
                SecretData.decode(newClusterCa, "tls.crt"), SecretData.decode(newClusterCa, "tls.key"));

        // The restored API server's client-CA trust accepts the old admin certificate.
        validates(oldAdmin.certificate(), restoredCa.certificate());
        // A serving certificate the restored cluster issues is trusted by the old kubeconfig's CA data.
        IssuedCertificate newServing = PKI.issue(
                CertificateRequest.builder("kube-apiserver")
                        .serverAuth()
                        .dnsNames("new.example")
                        .build(),
                restoredCa);
        validates(newServing.certificate(), Pem.parseCertificate(oldKubeconfigCa));
        // Against a cluster that made CAs of its own, the old kubeconfig fails.
        IssuedCertificate fresh = PKI.createCa("kubernetes");
        assertThatThrownBy(
                        () -> oldAdmin.certificate().verify(fresh.certificate().getPublicKey()))
                .isInstanceOf(SignatureException.class);
        assertThat(restored.entries().get(CaBundle.Role.SERVICE_ACCOUNT_KEY).data())
                .isEqualTo(old.get(Names.serviceAccountKeys("old")).getData());
        System.out.println("[figures] restore round trip, old kubeconfig: its client certificate verifies against the "
                + "restored cluster CA, the restored cluster's serving certificate verifies against its CA data, and "
                + "the old client certificate fails against a freshly made CA");
    }

    static void validates(X509Certificate certificate, X509Certificate anchor) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), parameters);
    }
}
