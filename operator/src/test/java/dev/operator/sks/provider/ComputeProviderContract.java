package dev.operator.sks.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operator.sks.api.NodepoolTaint;
import dev.operator.sks.api.TaintEffect;
import dev.operator.sks.catalog.InstanceType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every compute provider promises, run against each one's backend (or a faithful fake of it). Calls are made
 * the way a reconciler makes them: reconcile again until converged, passing back the provider id it reported.
 */
public abstract class ComputeProviderContract {
    protected static final InstanceType STANDARD_MEDIUM = new InstanceType("standard.medium", 2, 4096, 0);
    protected static final String USER_DATA = "#cloud-config\n# bootstrap token abcdef.0123456789abcdef\n";

    protected abstract ComputeProvider provider();

    /** The namespace the pools of a test live in. */
    protected abstract String namespace();

    /** Plays the backend's own controllers where a test backend has none (KubeVirt marking machines ready). */
    protected void driveBackend(DesiredPool desired) {}

    /** How many pools (or machines, where there is no pool object) of that name the backend holds. */
    protected abstract int backendPoolsNamed(DesiredPool desired);

    /** How many instances of the pool the backend still holds, in any state. */
    protected abstract int backendInstances(DesiredPool desired);

    protected Duration convergenceTimeout() {
        return Duration.ofSeconds(30);
    }

    protected DesiredPool desiredPool(int size) {
        String poolName = "nodepool-workers-" + UUID.randomUUID();
        return new DesiredPool(
                namespace(),
                poolName,
                "demo",
                "ch-gva-2",
                size,
                STANDARD_MEDIUM,
                50,
                "",
                "pool",
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                Map.of("env", "demo"),
                List.of(new NodepoolTaint("env", "demo", TaintEffect.NO_SCHEDULE)),
                USER_DATA,
                Optional.of(poolName + "-user-data"),
                Optional.empty());
    }

    /** Reconciles until the pool has {@code size} instances, all Running; returns the pool with its provider id. */
    protected ProviderPool converge(DesiredPool desired) {
        AtomicReference<ProviderPool> last = new AtomicReference<>();
        AtomicReference<DesiredPool> current = new AtomicReference<>(desired);
        await().atMost(convergenceTimeout())
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    driveBackend(current.get());
                    ProviderPool pool = provider().reconcile(current.get());
                    last.set(pool);
                    current.set(current.get().withProviderId(pool.providerId()));
                    assertThat(pool.instances()).hasSize(desired.size()).allMatch(ProviderInstance::isRunning);
                });
        return last.get();
    }

    protected static Set<String> ids(ProviderPool pool) {
        return pool.instances().stream().map(ProviderInstance::id).collect(Collectors.toSet());
    }

    protected static Set<String> memberIds(ProviderPool pool) {
        return pool.members().stream().map(ProviderInstance::id).collect(Collectors.toSet());
    }

    @Test
    void createsAPoolOfThreeRunningInstancesNamedAfterTheirPool() {
        DesiredPool desired = desiredPool(3);
        ProviderPool pool = converge(desired);
        assertThat(pool.exists()).isTrue();
        assertThat(pool.instances()).hasSize(3);
        assertThat(pool.names()).hasSize(3);
        assertThat(ids(pool)).hasSize(3);
        assertThat(pool.runningCount()).isEqualTo(3);
        assertThat(backendPoolsNamed(desired)).isEqualTo(1);
    }

    @Test
    void reconcilingAgainChangesNothing() throws ProviderException {
        DesiredPool desired = desiredPool(3);
        ProviderPool first = converge(desired);
        DesiredPool known = desired.withProviderId(first.providerId());
        ProviderPool second = provider().reconcile(known);
        ProviderPool third = provider().reconcile(known);
        assertThat(second.providerId()).isEqualTo(first.providerId());
        assertThat(ids(second)).isEqualTo(ids(first));
        assertThat(ids(third)).isEqualTo(ids(first));
        assertThat(backendInstances(desired)).isEqualTo(3);
    }

    @Test
    void scalingUpKeepsTheMembersAndScalingDownKeepsOriginalOnes() {
        DesiredPool desired = desiredPool(3);
        ProviderPool three = converge(desired);
        DesiredPool known = desired.withProviderId(three.providerId());

        ProviderPool five = converge(known.withSize(5));
        assertThat(ids(five)).containsAll(ids(three));
        assertThat(five.providerId()).isEqualTo(three.providerId());

        ProviderPool two = converge(known.withSize(2));
        assertThat(ids(two)).hasSize(2).isSubsetOf(ids(three));
        await().atMost(convergenceTimeout()).until(() -> backendInstances(desired) == 2);
    }

    @Test
    void evictingRemovesExactlyTheNamedInstanceAndTheOthersStay() throws ProviderException {
        DesiredPool desired = desiredPool(3);
        ProviderPool three = converge(desired);
        DesiredPool known = desired.withProviderId(three.providerId());
        ProviderInstance evicted = three.instances().get(1);

        ProviderPool after = provider().evict(known, List.of(evicted.name()));

        Set<String> others = ids(three);
        others.remove(evicted.id());
        assertThat(memberIds(after)).isEqualTo(others);
        // The pool then converges back to its size with a new member: the two others stay.
        ProviderPool back = converge(known);
        assertThat(ids(back)).containsAll(others).doesNotContain(evicted.id());
        assertThat(back.names()).doesNotContain(evicted.name());
    }

    @Test
    void evictingWithALowerSizeRemovesExactlyThose() throws ProviderException {
        DesiredPool desired = desiredPool(3);
        ProviderPool three = converge(desired);
        DesiredPool smaller = desired.withProviderId(three.providerId()).withSize(2);
        ProviderInstance evicted = three.instances().get(0); // the oldest: a plain scale-down would have kept it

        provider().evict(smaller, List.of(evicted.name()));
        ProviderPool two = converge(smaller);

        Set<String> others = ids(three);
        others.remove(evicted.id());
        assertThat(ids(two)).isEqualTo(others);
    }

    @Test
    void evictingANameThatIsNoMemberChangesNothing() throws ProviderException {
        DesiredPool desired = desiredPool(2);
        ProviderPool two = converge(desired);
        DesiredPool known = desired.withProviderId(two.providerId());

        ProviderPool after = provider().evict(known, List.of("pool-nope1"));

        assertThat(ids(after)).isEqualTo(ids(two));
        assertThat(ids(converge(known))).isEqualTo(ids(two));
    }

    @Test
    void deletingRemovesThePoolAndEveryInstance() {
        DesiredPool desired = desiredPool(2);
        ProviderPool two = converge(desired);
        DesiredPool known = desired.withProviderId(two.providerId());

        await().atMost(convergenceTimeout())
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> provider().delete(known));

        assertThat(backendPoolsNamed(desired)).isZero();
        assertThat(backendInstances(desired)).isZero();
    }

    @Test
    void deletingAPoolThatNeverExistedIsDoneAtOnce() throws ProviderException {
        assertThat(provider().delete(desiredPool(2))).isTrue();
    }

    @Test
    void aLostProviderIdFindsTheSamePoolInsteadOfMakingAnother() throws ProviderException {
        DesiredPool desired = desiredPool(2);
        ProviderPool two = converge(desired);

        ProviderPool again = provider().reconcile(desired.withProviderId(null));

        assertThat(again.providerId()).isEqualTo(two.providerId());
        assertThat(ids(again)).isEqualTo(ids(two));
        assertThat(backendPoolsNamed(desired)).isEqualTo(1);
        assertThat(backendInstances(desired)).isEqualTo(2);
    }

    @Test
    void aPoolOfSizeZeroExistsEmptyAndGrowsAndShrinks() {
        DesiredPool desired = desiredPool(0);
        ProviderPool empty = converge(desired);
        assertThat(empty.instances()).isEmpty();
        DesiredPool known = desired.withProviderId(empty.providerId());

        ProviderPool two = converge(known.withSize(2));
        assertThat(two.providerId()).isEqualTo(empty.providerId());

        assertThat(converge(known.withSize(0)).instances()).isEmpty();
        await().atMost(convergenceTimeout()).until(() -> backendInstances(desired) == 0);
    }
}
