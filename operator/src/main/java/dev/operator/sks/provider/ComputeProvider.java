package dev.operator.sks.provider;

import java.util.Collection;

/**
 * Where the machines of an instance pool come from. A reconciler calls it on every pass: each method is safe to call
 * again after a crash or a lost status, and none blocks for long (asynchronous backends are polled by calling again).
 *
 * <p>When both an eviction and a size change are pending, call {@link #evict} first, then {@link #reconcile}: a
 * reconcile alone would pick which members go, an eviction picks them by name.
 */
public interface ComputeProvider {

    /** The name {@code SKS_PROVIDER} selects this provider by. */
    String name();

    /**
     * Brings the backend pool toward {@code desired}: creates it if absent, scales it to {@code desired.size()}, and
     * reports what exists. Idempotent; never touches members beyond what scaling needs (scaling down removes the
     * newest members first where the backend lets us choose).
     */
    ProviderPool reconcile(DesiredPool desired) throws ProviderException;

    /**
     * Removes exactly the named instances and lowers the backend pool's size by their number. Names that are not (or
     * no longer) members are ignored, so a retried eviction never shrinks the pool twice.
     */
    ProviderPool evict(DesiredPool desired, Collection<String> instanceNames) throws ProviderException;

    /** Deletes the pool and its instances; returns true once nothing is left (callers retry until true). */
    boolean delete(DesiredPool desired) throws ProviderException;
}
