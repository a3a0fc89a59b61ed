package dev.operator.sks.tenant;

import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Instant;

/**
 * Drains tenant Nodes before their machines go: cordons the Node, then evicts its pods through the Eviction API, so
 * PodDisruptionBudgets hold, skipping DaemonSet and mirror pods. The work runs in the background (a tenant that does
 * not answer never holds a reconcile thread); a reconcile asks again until the answer is final.
 *
 * <p>Calls are idempotent per (cluster, node): asking again reports the progress of the drain already under way.
 */
public interface NodeDrains {

    /**
     * Starts draining {@code node} of {@code cluster}, or reports how far the drain started before has come.
     *
     * @param deadline when to stop waiting for pods: after it the answer is {@link TimedOut}, and the machine may go
     */
    Progress drain(ClusterKey cluster, String node, Instant deadline);

    /** Drops what is known of the drain of {@code node} (its machine is gone, or it is wanted again): no tenant call. */
    void forget(ClusterKey cluster, String node);

    /** How a drain stands. {@link Drained} and {@link TimedOut} are final: the machine may be removed. */
    sealed interface Progress {
        /** Whether the machine may now be removed. */
        default boolean done() {
            return this instanceof Drained || this instanceof TimedOut;
        }
    }

    /** Under way: {@code podsLeft} pods still to leave the Node (some perhaps held by a PodDisruptionBudget). */
    record Draining(int podsLeft, String detail) implements Progress {}

    /** Every pod that had to go has gone (or the Node does not exist). */
    record Drained() implements Progress {}

    /** The deadline passed with {@code podsLeft} pods still on the Node; {@code detail} says which held it. */
    record TimedOut(int podsLeft, String detail) implements Progress {}
}
