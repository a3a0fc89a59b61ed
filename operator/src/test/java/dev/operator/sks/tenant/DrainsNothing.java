package dev.operator.sks.tenant;

import dev.operator.sks.tenant.TenantClients.ClusterKey;
import java.time.Instant;

/**
 * A {@link NodeDrains} for tests whose pools have no tenant to drain: every drain answers {@link NodeDrains.Drained}
 * at once, so a machine goes as soon as it is chosen. The operator itself always drains ({@link TenantNodeDrains}).
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
