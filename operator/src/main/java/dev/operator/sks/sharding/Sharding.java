package dev.operator.sks.sharding;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This replica's place among the shards: {@code shards} replicas-that-lead, this one serving {@code index}. With one
 * shard nothing is routed: no label selector, no stamper, the one leader Lease of old.
 *
 * <p>The shard label is routing, never ownership: anyone may set it, so what it says is checked against
 * {@link Shards#of} on every event, and ownership stays the owner reference to a UID.
 */
public record Sharding(int shards, int index) {
    public static final Sharding NONE = new Sharding(1, 0);

    public Sharding {
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be at least 1, not " + shards);
        }
        if (index < 0 || index >= shards) {
            throw new IllegalArgumentException(
                    "--shard-index " + index + " is not between 0 and " + (shards - 1) + " (--shards " + shards + ")");
        }
    }

    public boolean enabled() {
        return shards > 1;
    }

    /** The shard that owns what lives in {@code namespace}. */
    public int shardOf(String namespace) {
        return Shards.of(namespace, shards);
    }

    /** Whether this replica serves what lives in {@code namespace}. */
    public boolean owns(String namespace) {
        return shardOf(namespace) == index;
    }

    /** The label value {@code resource} should carry: its namespace's shard. */
    public String labelFor(HasMetadata resource) {
        return Integer.toString(shardOf(resource.getMetadata().getNamespace()));
    }

    /** Whether {@code resource}'s shard label says what its namespace does (absent counts as wrong). */
    public boolean labelledRightly(HasMetadata resource) {
        return Optional.ofNullable(resource.getMetadata().getLabels())
                .map(l -> l.get(Labels.SHARD))
                .filter(labelFor(resource)::equals)
                .isPresent();
    }

    /**
     * Whether {@code written}, an object the operator wrote, is where this replica's shard-selected informers see it:
     * always when not sharded. One that is not was written before sharding and is still to adopt.
     */
    public boolean stamped(HasMetadata written) {
        return !enabled() || labelledRightly(written);
    }

    /** The server-side selector of what this replica's controllers watch: empty when not sharded. */
    public Optional<String> selector() {
        return enabled() ? Optional.of(Labels.SHARD + "=" + index) : Optional.empty();
    }

    /**
     * {@code selector} narrowed to this replica's shard, for the informers of the objects the operator writes: sharded,
     * a replica caches only its own shard's Secrets, Deployments and the like, not every shard's. {@code null} (no
     * selector) stays {@code null} when not sharded.
     */
    public String selecting(String selector) {
        if (!enabled()) {
            return selector;
        }
        String own = Labels.SHARD + "=" + index;
        return selector == null || selector.isBlank() ? own : selector + "," + own;
    }

    /**
     * {@code object} with the shard label of its namespace added, when sharded; untouched when not, so an unsharded
     * operator writes exactly what it wrote before. Every object the operator writes in the management cluster goes
     * through this, so the shard-selected informers ({@link #selecting}) see it.
     */
    public <T extends HasMetadata> T stamp(T object) {
        if (enabled() && !labelledRightly(object)) {
            Map<String, String> labels = object.getMetadata().getLabels() == null
                    ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(object.getMetadata().getLabels());
            labels.put(Labels.SHARD, labelFor(object));
            object.getMetadata().setLabels(labels);
        }
        return object;
    }

    /** Each shard elects its own leader, so a standby takes over one shard without touching the others. */
    public String leaseName() {
        return enabled() ? Names.LEADER_ELECTION_LEASE + "-shard-" + index : Names.LEADER_ELECTION_LEASE;
    }

    /**
     * What the replica's client calls itself, so the API server's {@code managedFields} name the replica that made
     * each create, update and patch: {@code sks-operator-shard-<i>-<pod>}.
     */
    public String fieldManager(String identity) {
        return Labels.FIELD_MANAGER + "-shard-" + index + "-" + identity;
    }
}
