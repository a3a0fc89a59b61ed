package dev.operator.sks.autoscaling;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.CertificateRequest;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The operator's CA for the cluster-autoscalers' externalgrpc connections, kept in the Secret
 * {@value Names#AUTOSCALER_CA_SECRET} of the operator's namespace (made once, shared by every replica).
 *
 * <p>A CA of its own rather than each cluster's: a cluster CA also signs its kubelets' and control plane's
 * certificates, so trusting it would let any tenant node call the provider; and the server would have to trust every
 * cluster's CA at once, where one CA here gives one trust anchor and the cluster is named inside the certificate
 * ({@link AutoscalerIdentity}). Its key never leaves this Secret; the server certificate is issued from it at each start
 * and held in memory only.
 */
public final class AutoscalerAuthority {
    /** A client certificate lives this long; renewed once less than a third is left. */
    public static final Duration CLIENT_VALIDITY = Duration.ofDays(90);

    private final Pki pki;
    private final IssuedCertificate ca;

    private AutoscalerAuthority(Pki pki, IssuedCertificate ca) {
        this.pki = pki;
        this.ca = ca;
    }

    /** For tests and for a CA already at hand. */
    public static AutoscalerAuthority of(Pki pki, IssuedCertificate ca) {
        return new AutoscalerAuthority(pki, ca);
    }

    /** The CA of {@code namespace}'s Secret, made there first when there is none (a racing replica's wins). */
    public static AutoscalerAuthority loadOrCreate(KubernetesClient client, String namespace, Pki pki) {
        var secrets = client.secrets().inNamespace(namespace).withName(Names.AUTOSCALER_CA_SECRET);
        Secret existing = secrets.get();
        if (existing == null) {
            IssuedCertificate ca = pki.createCa("sks-operator-autoscaler-ca");
            Secret secret = new SecretBuilder()
                    .withNewMetadata()
                    .withName(Names.AUTOSCALER_CA_SECRET)
                    .withNamespace(namespace)
                    .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE))
                    .endMetadata()
                    .withType("kubernetes.io/tls")
                    .withData(SecretData.encode(Map.of("tls.crt", ca.certificatePem(), "tls.key", ca.privateKeyPem())))
                    .build();
            try {
                client.secrets().inNamespace(namespace).resource(secret).create();
                return new AutoscalerAuthority(pki, ca);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                existing = secrets.get();
            }
        }
        return new AutoscalerAuthority(
                pki,
                IssuedCertificate.fromPem(
                        SecretData.decode(existing, "tls.crt"), SecretData.decode(existing, "tls.key")));
    }

    public IssuedCertificate ca() {
        return ca;
    }

    public String caPem() {
        return ca.certificatePem();
    }

    /** The gRPC server's certificate for these host names and addresses. */
    public IssuedCertificate serverCertificate(List<String> dnsNames, List<String> ipAddresses) {
        return pki.issue(
                CertificateRequest.builder("sks-operator-autoscaler-provider")
                        .dnsNames(dnsNames)
                        .ipAddresses(ipAddresses)
                        .serverAuth()
                        .validity(Pki.LEAF_VALIDITY)
                        .build(),
                ca);
    }

    /** A client certificate naming {@code identity}'s cluster. */
    public IssuedCertificate clientCertificate(AutoscalerIdentity identity) {
        return pki.issue(identity.certificateRequest(CLIENT_VALIDITY), ca);
    }
}
