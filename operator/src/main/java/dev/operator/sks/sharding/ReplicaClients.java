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
        return named(Config.autoConfigure(null), sharding, identity);
    }

    /** {@code config}, named for this replica when sharded; unchanged when not. */
    public static Config named(Config config, Sharding sharding, String identity) {
        if (sharding.enabled()) {
            config.setUserAgent(sharding.fieldManager(identity));
        }
        return config;
    }
}
