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

    /**
     * Reads each name once and answers the same from then on: one reconcile that decides from a Secret twice (a
     * revision and the user-data it names) must not see it appear or vanish between the two reads.
     */
    static SecretLookup once(SecretLookup lookup) {
        java.util.Map<String, Optional<Secret>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        return (namespace, name) -> seen.computeIfAbsent(namespace + "/" + name, k -> lookup.find(namespace, name));
    }

    /** Asks the API server each time. */
    static SecretLookup live(KubernetesClient client) {
        return (namespace, name) -> Optional.ofNullable(
                client.secrets().inNamespace(namespace).withName(name).get());
    }
}
