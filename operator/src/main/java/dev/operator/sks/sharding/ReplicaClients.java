package dev.operator.sks.sharding;

import io.fabric8.kubernetes.client.Config;

/**
 * The management client of a sharded replica names the replica in its User-Agent. The API server takes the field
 * manager of every create, update and patch that names none from it, so an object's {@code managedFields} show which
 * replica wrote it: the proof that no object is written by two shards. Server-side applies keep their explicit
 * manager, shared by all replicas, so a standby that takes over applies as its leader did, without conflicts.
 */
public final class ReplicaClients {
    private ReplicaClients() {}

    /** The client configuration found in the environment, named for this replica when sharded. */
    public static Config configFor(Sharding sharding, String identity) {
        return named(withoutEmptyTokenRefresh(Config.autoConfigure(null)), sharding, identity);
    }

    /**
     * A configuration that authenticates by client certificate alone, given a token provider that has no token. Without
     * one, fabric8's token refresh looks for a token before each request once a minute has passed since the last one it
     * found, and with none ever found, it re-reads and parses the kubeconfig before every request from then on: at 300
     * new clusters, 7 % of the operator's CPU, spent parsing the same file. With the provider the check costs nothing,
     * and nothing else changes: the certificate lives in the TLS context, which a refresh never rebuilds. Any other
     * configuration (a token, a token file, exec or an auth provider, basic auth) is left as it is, refresh and all.
     */
    static Config withoutEmptyTokenRefresh(Config config) {
        boolean certificateOnly = (config.getClientCertData() != null || config.getClientCertFile() != null)
                && config.getOauthToken() == null
                && config.getAutoOAuthToken() == null
                && config.getOauthTokenProvider() == null
                && config.getAuthProvider() == null
                && config.getUsername() == null
                && config.getPassword() == null;
        if (certificateOnly) {
            config.setOauthTokenProvider(() -> null);
        }
        return config;
    }

    /** {@code config}, named for this replica when sharded; unchanged when not. */
    public static Config named(Config config, Sharding sharding, String identity) {
        if (sharding.enabled()) {
            config.setUserAgent(sharding.fieldManager(identity));
        }
        return config;
    }
}
