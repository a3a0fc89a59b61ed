package dev.operator.sks.provider;

import java.util.Map;

/**
 * The cloud account's side of a cluster's cloud controller: an API key made for that one cluster, under a role that
 * allows only what a cloud controller does. The operator's own key never goes into a tenant cluster, where anyone
 * with access to {@code kube-system} could read it; a cluster's key can be rotated or revoked alone.
 *
 * <p>Implementations find a cluster's role again by the cluster's UID, so a role made just before a crash is reused
 * rather than made twice. Revoking what is already gone succeeds.
 */
public interface CloudControllerCredentials {

    /** A new API key for the cluster's cloud controller, under the cluster's role (made when it has none). */
    IssuedKey issue(Cluster cluster, String keyName) throws ProviderException;

    /** Revokes one key the operator issued; one that no longer exists is revoked already. */
    void revokeKey(Cluster cluster, String keyId) throws ProviderException;

    /** Deletes the cluster's role, once its keys are revoked. */
    void deleteRole(Cluster cluster) throws ProviderException;

    /** Which cluster: its UID, to find its role by; its name, for people reading the cloud console; its zone. */
    record Cluster(String uid, String namespace, String name, String zone) {}

    /**
     * A key as the cloud controller reads it from {@code kube-system/exoscale-credentials}. {@link #toString()} never
     * shows the secret.
     *
     * @param keyId the key's public identifier, what revocation names
     * @param secretData the Secret keys and values the cloud controller reads (the secret among them)
     */
    record IssuedKey(String keyId, Map<String, String> secretData) {
        public IssuedKey {
            secretData = Map.copyOf(secretData);
        }

        @Override
        public String toString() {
            return "IssuedKey[keyId=" + keyId + ", secretData=" + secretData.keySet() + "]";
        }
    }
}
