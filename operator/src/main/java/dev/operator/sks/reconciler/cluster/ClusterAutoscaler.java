package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.autoscaling.AutoscalerAuthority;
import dev.operator.sks.autoscaling.AutoscalerIdentity;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import dev.operator.sks.config.OperatorConfig;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.Pki;
import dev.operator.sks.pki.RenewalPolicy;
import dev.operator.sks.pki.SignatureChecks;
import dev.operator.sks.reconciler.cluster.OwnedObjects.Wanted;
import dev.operator.sks.rendering.ClusterAutoscalerRenderer;
import dev.operator.sks.rendering.ClusterModel;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.Digests;
import dev.operator.sks.support.SecretData;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a cluster's cluster-autoscaler while some pool of it is autoscaled: keeps the Secret with its client certificate
 * for the operator's externalgrpc provider (from {@link AutoscalerAuthority}, naming the cluster by
 * {@link AutoscalerIdentity}), the authority's CA and its cloud-config, and applies the Deployment
 * ({@link ClusterAutoscalerRenderer}). Its tenant kubeconfig is one of the cluster's PKI kubeconfigs
 * ({@link ClusterCertificates#kubeconfigs(ClusterModel, dev.operator.sks.pki.KeyAlgorithm, boolean)}). When no pool is
 * autoscaled any more, the Deployment and the Secret go, but only those the cluster controls.
 */
final class ClusterAutoscaler {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAutoscaler.class);
    private static final String TLS_TYPE = "kubernetes.io/tls";

    private final OperatorConfig config;
    private final Pki pki;
    private final Clock clock;
    /** Loaded (or made) at first need, then kept: the CA Secret in the operator's namespace never changes. */
    private final AtomicReference<AutoscalerAuthority> authority = new AtomicReference<>();

    ClusterAutoscaler(OperatorConfig config, Pki pki, Clock clock) {
        this.config = config;
        this.pki = pki;
        this.clock = clock;
    }

    /** Whether an autoscaler can run at all: without the provider served there is nothing for it to call. */
    boolean served() {
        return config.servesAutoscalers();
    }

    /** The names it writes, checked for conflicts with everything else before anything is made. */
    static List<Wanted> wanted(String cluster) {
        return List.of(
                new Wanted(Secret.class, Names.clusterAutoscalerSecret(cluster)),
                new Wanted(Deployment.class, Names.clusterAutoscalerDeployment(cluster)));
    }

    /**
     * Keeps the credentials Secret and the Deployment of the minor {@code running}. Empty when the authority is out of
     * reach (logged; the cluster's other work goes on, and the next reconcile tries again).
     *
     * @param kubeconfigHash the content hash of the tenant kubeconfig Secret, so a renewed kubeconfig restarts the pod
     */
    Optional<Deployment> ensure(
            SKSCluster cluster,
            ClusterModel model,
            KubernetesVersion running,
            OwnedObjects objects,
            KubernetesClient client,
            String kubeconfigHash) {
        Optional<AutoscalerAuthority> ca = authority(client);
        if (ca.isEmpty()) {
            return Optional.empty();
        }
        Secret secret = ensureSecret(cluster, objects, ca.get());
        String revision = Digests.sha256Hex(
                SecretData.decode(secret, ClusterAutoscalerRenderer.CLIENT_CERT_KEY)
                        + SecretData.decode(secret, ClusterAutoscalerRenderer.CA_KEY)
                        + SecretData.decode(secret, ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY)
                        + kubeconfigHash,
                16);
        Deployment deployment = ClusterAutoscalerRenderer.deployment(new ClusterAutoscalerRenderer.Inputs(
                cluster, model.image(Component.CLUSTER_AUTOSCALER, running), revision));
        objects.apply(deployment);
        return Optional.of(deployment);
    }

    /** No pool is autoscaled: the Deployment and its credentials go, when the cluster controls them. */
    void remove(OwnedObjects objects, String cluster) {
        objects.deleteOwned(Deployment.class, Names.clusterAutoscalerDeployment(cluster));
        objects.deleteOwned(Secret.class, Names.clusterAutoscalerSecret(cluster));
    }

    private Optional<AutoscalerAuthority> authority(KubernetesClient client) {
        AutoscalerAuthority known = authority.get();
        if (known != null) {
            return Optional.of(known);
        }
        try {
            AutoscalerAuthority loaded = AutoscalerAuthority.loadOrCreate(client, config.operatorNamespace(), pki);
            authority.compareAndSet(null, loaded);
            return Optional.of(authority.get());
        } catch (RuntimeException e) {
            LOG.warn(
                    "the autoscaler CA (Secret {}/{}) is out of reach, no cluster-autoscaler is deployed yet: {}",
                    config.operatorNamespace(),
                    Names.AUTOSCALER_CA_SECRET,
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private Secret ensureSecret(SKSCluster cluster, OwnedObjects objects, AutoscalerAuthority ca) {
        String name = Names.clusterAutoscalerSecret(cluster.getMetadata().getName());
        AutoscalerIdentity identity = identity(cluster);
        String cloudConfig = ClusterAutoscalerRenderer.cloudConfig(config.autoscalerGrpcAddress());
        Optional<Secret> cached = objects.cached(Secret.class, name);
        if (cached.isPresent() && isCurrent(data(cached.get()), ca.ca(), identity, cloudConfig, clock.instant())) {
            return cached.get();
        }
        // About to make a key: what the API server holds now, not what the cache last saw.
        Optional<Secret> existing = objects.fresh(Secret.class, name);
        if (existing.isPresent() && isCurrent(data(existing.get()), ca.ca(), identity, cloudConfig, clock.instant())) {
            return existing.get();
        }
        IssuedCertificate certificate = ca.clientCertificate(identity);
        Secret desired = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forComponent(cluster.getMetadata().getName(), ClusterAutoscalerRenderer.COMPONENT))
                .withOwnerReferences(Owners.controllerReference(cluster))
                .endMetadata()
                .withType(TLS_TYPE)
                .withData(SecretData.encode(Map.of(
                        ClusterAutoscalerRenderer.CLIENT_CERT_KEY, certificate.certificatePem(),
                        ClusterAutoscalerRenderer.CLIENT_KEY_KEY, certificate.privateKeyPem(),
                        ClusterAutoscalerRenderer.CA_KEY, ca.caPem(),
                        ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY, cloudConfig)))
                .build();
        return existing.isEmpty() ? objects.create(desired) : objects.replace(desired, existing.get());
    }

    static AutoscalerIdentity identity(SKSCluster cluster) {
        return new AutoscalerIdentity(
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                cluster.getMetadata().getUid());
    }

    /** The Secret's keys as text, a missing or unreadable one as empty (then not current, so issued again). */
    private static Map<String, String> data(Secret secret) {
        Map<String, String> data = new java.util.HashMap<>();
        for (String key : List.of(
                ClusterAutoscalerRenderer.CLIENT_CERT_KEY,
                ClusterAutoscalerRenderer.CLIENT_KEY_KEY,
                ClusterAutoscalerRenderer.CA_KEY,
                ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY)) {
            data.put(key, SecretData.find(secret, key).orElse(""));
        }
        return data;
    }

    /**
     * Whether the Secret's content (decoded) still serves: a key is there, the certificate is the authority's, names
     * this very cluster (a cluster made again under the name has a new UID) and is not due for renewal
     * ({@link RenewalPolicy}: a third of its life left), and the CA and cloud-config are the current ones (a new
     * {@code --autoscaler-grpc-address} is written at once). Anything unreadable is not current, so it is issued again.
     */
    static boolean isCurrent(
            Map<String, String> data,
            IssuedCertificate authority,
            AutoscalerIdentity identity,
            String cloudConfig,
            Instant now) {
        String key = data.getOrDefault(ClusterAutoscalerRenderer.CLIENT_KEY_KEY, "");
        if (key.isEmpty()
                || !cloudConfig.equals(data.get(ClusterAutoscalerRenderer.CLOUD_CONFIG_KEY))
                || !authority.certificatePem().equals(data.get(ClusterAutoscalerRenderer.CA_KEY))) {
            return false;
        }
        X509Certificate certificate;
        try {
            certificate = Pem.parseCertificate(data.getOrDefault(ClusterAutoscalerRenderer.CLIENT_CERT_KEY, ""));
        } catch (RuntimeException unreadable) {
            return false;
        }
        if (!SignatureChecks.signedBy(certificate, authority.certificate().getPublicKey())) {
            return false;
        }
        return AutoscalerIdentity.of(certificate).filter(identity::equals).isPresent()
                && !RenewalPolicy.needsRenewal(certificate, now);
    }
}
