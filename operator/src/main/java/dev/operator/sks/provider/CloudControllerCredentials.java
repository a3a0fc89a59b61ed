package dev.operator.sks.provider;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The infrastructure's side of a cluster's cloud controller: credentials made for that one cluster, allowing only what
 * a cloud controller does there. The operator's own credentials never go into a tenant cluster, where anyone with
 * access to {@code kube-system} could read them; a cluster's can be rotated or revoked alone.
 *
 * <p>Two forms fit: an API key under a cloud IAM role (Exoscale), which lives until revoked; and a bound token of a
 * ServiceAccount in the management cluster (KubeVirt), which expires and is renewed, and cannot be revoked alone (only
 * deleting its ServiceAccount revokes it, with every other token of that account).
 *
 * <p>Implementations find a cluster's role (or account) again by the cluster's UID, so one made just before a crash is
 * reused rather than made twice. Revoking what is already gone succeeds.
 */
public interface CloudControllerCredentials {

    /** What the credentials are, for the words of the cluster's condition and Events. */
    enum Form {
        /** A cloud API key, valid until revoked. */
        API_KEY,
        /** A kubeconfig with an expiring ServiceAccount token. */
        SERVICE_ACCOUNT_TOKEN
    }

    Form form();

    /** New credentials for the cluster's cloud controller, under the cluster's role (made when it has none). */
    IssuedKey issue(Cluster cluster, String keyName) throws ProviderException;

    /** Revokes one key the operator issued; one that no longer exists is revoked already. */
    void revokeKey(Cluster cluster, String keyId) throws ProviderException;

    /** Deletes the cluster's role (or account), once its keys are revoked. */
    void deleteRole(Cluster cluster) throws ProviderException;

    /** Which cluster: its UID, to find its role by; its name, for people reading the cloud console; its zone. */
    record Cluster(String uid, String namespace, String name, String zone) {}

    /**
     * Credentials as the cloud controller reads them from its Secret in the tenant. {@link #toString()} never shows
     * the secret.
     *
     * @param keyId the credentials' public identifier, what revocation names (for a token: a digest of it, which also
     *     tells the tenant's cloud controller to restart on a new one)
     * @param secretData the Secret keys and values the cloud controller reads (the secret among them)
     * @param renewAfter when to make new ones, for credentials that expire; empty for those valid until revoked
     */
    record IssuedKey(String keyId, Map<String, String> secretData, Optional<Instant> renewAfter) {
        public IssuedKey {
            secretData = Map.copyOf(secretData);
        }

        /** Credentials valid until revoked. */
        public IssuedKey(String keyId, Map<String, String> secretData) {
            this(keyId, secretData, Optional.empty());
        }

        @Override
        public String toString() {
            return "IssuedKey[keyId=" + keyId + ", secretData=" + secretData.keySet() + ", renewAfter=" + renewAfter
                    + "]";
        }
    }
}
