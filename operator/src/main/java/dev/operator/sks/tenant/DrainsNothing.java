package dev.operator.sks.tenant;

import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Instant;

/**
 * A placeholder {@link NodeDrains} that drains nothing: every drain answers {@link NodeDrains.Drained} at once, so a
 * machine goes as soon as it is chosen, without cordoning its Node or evicting its pods. Only until the real drain
 * (cordon + Eviction API) is wired into the operator in its place; never a choice to keep.
 */
public final class DrainsNothing implements NodeDrains {
    public static final DrainsNothing INSTANCE = new DrainsNothing();

    private DrainsNothing() {}

    @Override
    public Progress drain(ClusterKey cluster, String node, Instant deadline) {
        return new Drained();
    }

    @Override
    public void forget(ClusterKey cluster, String node) {}
}
