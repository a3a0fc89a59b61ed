package dev.operator.sks.provider.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.provider.simulated.LoadBalancerAllocation.Plan;
import dev.operator.sks.provider.simulated.LoadBalancerAllocation.Service;
import dev.operator.sks.support.Ipv4Block;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerAllocationTest {
    private static final Ipv4Block POOL = Ipv4Block.parse("198.51.100.0/30"); // .1 and .2

    private static Service lb(String uid, String created, String... ips) {
        return new Service(uid, "default", "svc-" + uid, created, true, List.of(ips));
    }

    private static Service clusterIp(String uid, String... ips) {
        return new Service(uid, "default", "svc-" + uid, "2026-01-01T00:00:00Z", false, List.of(ips));
    }

    @Test
    void newServicesGetTheLowestFreeAddressOldestFirst() {
        Plan plan = LoadBalancerAllocation.plan(
                POOL, List.of(lb("b", "2026-01-01T00:00:02Z"), lb("a", "2026-01-01T00:00:01Z")));
        assertThat(plan.assign()).isEqualTo(Map.of("a", "198.51.100.1", "b", "198.51.100.2"));
        assertThat(plan.pending()).isEmpty();
        assertThat(plan.release()).isEmpty();
    }

    @Test
    void aServiceKeepsItsAddressAndNeedsNoWrite() {
        Plan plan = LoadBalancerAllocation.plan(
                POOL, List.of(lb("a", "2026-01-01T00:00:01Z", "198.51.100.2"), lb("b", "2026-01-01T00:00:02Z")));
        assertThat(plan.assign()).isEqualTo(Map.of("b", "198.51.100.1"));
    }

    @Test
    void anExhaustedPoolLeavesTheNewestPendingUntilAnAddressIsReleased() {
        List<Service> full = List.of(
                lb("a", "2026-01-01T00:00:01Z", "198.51.100.1"),
                lb("b", "2026-01-01T00:00:02Z", "198.51.100.2"),
                lb("c", "2026-01-01T00:00:03Z"));
        Plan exhausted = LoadBalancerAllocation.plan(POOL, full);
        assertThat(exhausted.assign()).isEmpty();
        assertThat(exhausted.pending()).extracting(Service::uid).containsExactly("c");

        // a changed type: its address is released and goes to c.
        Plan changed =
                LoadBalancerAllocation.plan(POOL, List.of(clusterIp("a", "198.51.100.1"), full.get(1), full.get(2)));
        assertThat(changed.release()).containsExactly("a");
        assertThat(changed.assign()).isEqualTo(Map.of("c", "198.51.100.1"));
        assertThat(changed.pending()).isEmpty();

        // b was deleted: it is simply not listed, and its address is free.
        Plan deleted = LoadBalancerAllocation.plan(POOL, List.of(full.get(0), full.get(2)));
        assertThat(deleted.assign()).isEqualTo(Map.of("c", "198.51.100.2"));
    }

    @Test
    void addressesStayUniqueWhenTwoServicesClaimOneAndForeignAddressesAreReplaced() {
        Plan plan = LoadBalancerAllocation.plan(
                POOL,
                List.of(
                        lb("old", "2026-01-01T00:00:01Z", "198.51.100.1"),
                        lb("copy", "2026-01-01T00:00:02Z", "198.51.100.1"),
                        lb("elsewhere", "2026-01-01T00:00:03Z", "203.0.113.9")));
        assertThat(plan.assign()).isEqualTo(Map.of("copy", "198.51.100.2"));
        assertThat(plan.pending()).extracting(Service::uid).containsExactly("elsewhere");
    }

    @Test
    void aClusterIpServiceWithoutAPoolAddressIsLeftAlone() {
        Plan plan = LoadBalancerAllocation.plan(POOL, List.of(clusterIp("x"), clusterIp("y", "203.0.113.9")));
        assertThat(plan.release()).isEmpty();
        assertThat(plan.assign()).isEmpty();
        assertThat(plan.pending()).isEmpty();
    }
}
