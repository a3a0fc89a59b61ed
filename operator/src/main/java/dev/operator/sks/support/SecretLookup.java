package dev.operator.sks.support;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Where a Secret the operator made is read from before deciding whether to write it. The operator reads its
 * informer's cache, so a steady state costs the API server no request; whoever then writes reads the Secret afresh
 * first ({@link #live}), since a cache may lag.
 */
@FunctionalInterface
public interface SecretLookup {
    Optional<Secret> find(String namespace, String name);

    /** Asks the API server each time. */
    static SecretLookup live(KubernetesClient client) {
        return (namespace, name) -> Optional.ofNullable(
                client.secrets().inNamespace(namespace).withName(name).get());
    }
}
