package dev.operator.sks.etcd;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Names;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Reaches a cluster's etcd as its API servers do: with the certificate of the Secret
 * {@link Names#apiserverEtcdClient} (tls.crt, tls.key, and ca.crt, the etcd CA it trusts), and only when the cluster
 * controls that Secret: a same-named Secret someone else made is never presented to etcd. The operator reads it from
 * its informer ({@link #readingSecretsFrom}): each cluster's first maintenance round opens a client, and at a thousand
 * clusters those were a thousand GETs; a Secret the cache lacks (not synced yet) is read from the API server.
 */
public final class TlsEtcdConnector implements EtcdConnector {

    /**
     * Where to reach a cluster's etcd instead of the in-cluster address the reconciler names (its first member).
     * Production dials that as it is ({@link #NONE}); tests, and an operator running outside the management cluster
     * where the name does not resolve, point it elsewhere. The URL must be covered by etcd's serving certificate (it names loopback too).
     */
    @FunctionalInterface
    public interface AddressOverride {
        AddressOverride NONE = (namespace, cluster, clientUrl) -> clientUrl;

        String clientUrl(String namespace, String cluster, String renderedClientUrl);
    }

    private final AddressOverride addresses;
    private final Optional<SecretLookup> cache;

    public TlsEtcdConnector() {
        this(AddressOverride.NONE);
    }

    public TlsEtcdConnector(AddressOverride addresses) {
        this(addresses, Optional.empty());
    }

    private TlsEtcdConnector(AddressOverride addresses, Optional<SecretLookup> cache) {
        this.addresses = addresses;
        this.cache = cache;
    }

    @Override
    public EtcdConnector readingSecretsFrom(SecretLookup secrets) {
        return new TlsEtcdConnector(addresses, Optional.of(secrets));
    }

    @Override
    public EtcdMembers connect(KubernetesClient management, SKSCluster cluster, String clientUrl) throws EtcdException {
        Secret secret = clientSecret(management, cluster);
        URI endpoint = URI.create(addresses.clientUrl(
                cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), clientUrl));
        return HttpEtcdMembers.connect(
                endpoint,
                value(secret, Names.TLS_CERTIFICATE_KEY),
                value(secret, Names.TLS_PRIVATE_KEY_KEY),
                value(secret, Names.CA_CERTIFICATE_KEY));
    }

    @Override
    public HttpEtcdMaintenance snapshots(KubernetesClient management, SKSCluster cluster, String clientUrl)
            throws EtcdException {
        Secret secret = clientSecret(management, cluster);
        URI endpoint = URI.create(addresses.clientUrl(
                cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), clientUrl));
        return HttpEtcdMaintenance.connect(
                endpoint,
                value(secret, Names.TLS_CERTIFICATE_KEY),
                value(secret, Names.TLS_PRIVATE_KEY_KEY),
                value(secret, Names.CA_CERTIFICATE_KEY));
    }

    private Secret clientSecret(KubernetesClient management, SKSCluster cluster) throws EtcdException {
        String namespace = cluster.getMetadata().getNamespace();
        String secretName = Names.apiserverEtcdClient(cluster.getMetadata().getName());
        Optional<Secret> cached = cache.flatMap(c -> c.find(namespace, secretName))
                .filter(s -> Owners.isControlledBy(s, cluster) && s.getData() != null);
        Secret secret;
        try {
            secret = cached.isPresent()
                    ? cached.get()
                    : management
                            .secrets()
                            .inNamespace(namespace)
                            .withName(secretName)
                            .get();
        } catch (KubernetesClientException e) {
            throw new EtcdException("cannot read the Secret " + secretName + ": HTTP " + e.getCode(), e);
        }
        if (secret == null || secret.getData() == null) {
            throw new EtcdException("the etcd client certificate Secret " + secretName + " does not exist yet");
        }
        // etcd holds every Secret of the tenant: dial only with the certificate the cluster itself made.
        if (!Owners.isControlledBy(secret, cluster)) {
            throw new EtcdException(
                    "the Secret " + secretName + " is not the cluster's own (no controller reference to it)");
        }
        return secret;
    }

    private static String value(Secret secret, String key) throws EtcdException {
        Map<String, String> data = secret.getData();
        String encoded = data.get(key);
        if (encoded == null || encoded.isBlank()) {
            throw new EtcdException("the Secret " + secret.getMetadata().getName() + " has no " + key);
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EtcdException("the Secret " + secret.getMetadata().getName() + " has " + key + " not in base64");
        }
    }
}
