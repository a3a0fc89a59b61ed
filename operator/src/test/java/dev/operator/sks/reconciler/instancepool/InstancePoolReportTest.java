package dev.operator.sks.reconciler.instancepool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.DesiredPool;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderInstance;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.reconciler.nodepool.PoolCondition;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.rendering.Owners;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.PoolNodes;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstancePoolReportTest {
    private final InstancePool pool = PoolOwnershipTest.pool(
            Names.instancePool("workers", "np-uid"), "alpha", PoolOwnershipTest.nodepool("alpha"));

    /**
     * The fault tier's stuck Nodepool (issue 15): the Nodepool writes the pool's spec (a new revision) and then its
     * user-data; a pool reconcile that read the spec from a cache still holding the old revision, and the new Secret
     * live, booted a machine recorded under the old revision, which the Nodepool then set out to replace, surging to
     * two machines it could not drain (no tenant Nodes to read). A pool boots only from user-data of its own revision.
     */
    @Test
    void aPoolBootsOnlyFromUserDataRenderedForTheRevisionItsSpecNames() {
        pool.getSpec().revision = "rev-new";
        Secret own = secret(pool.getSpec().userDataSecretName, true);
        own.getMetadata().setAnnotations(Map.of(Labels.USER_DATA_REVISION_ANNOTATION, "rev-new"));
        assertThat(InstancePoolReport.userData(pool, Optional.of(own))).isInstanceOf(InstancePoolReport.Present.class);

        // The spec as a lagging cache holds it, with the Secret already rendered for the next revision.
        pool.getSpec().revision = "rev-old";
        assertThat(InstancePoolReport.userData(pool, Optional.of(own)))
                .isEqualTo(new InstancePoolReport.OtherRevision("rev-new", "rev-old"));

        // A Secret that names no revision (written before the annotation existed) is booted from, as before.
        own.getMetadata().setAnnotations(null);
        assertThat(InstancePoolReport.userData(pool, Optional.of(own))).isInstanceOf(InstancePoolReport.Present.class);
    }

    @Test
    void aPoolBootsOnlyFromAUserDataSecretItControls() {
        Secret own = secret(pool.getSpec().userDataSecretName, true);
        assertThat(InstancePoolReport.userData(pool, Optional.of(own)))
                .isInstanceOfSatisfying(
                        InstancePoolReport.Present.class,
                        p -> assertThat(p.userData()).isEqualTo("#cloud-config"));
        assertThat(InstancePoolReport.userData(pool, Optional.of(own)).toString())
                .doesNotContain("cloud-config");

        Secret foreign = secret(pool.getSpec().userDataSecretName, false);
        assertThat(InstancePoolReport.userData(pool, Optional.of(foreign)))
                .isInstanceOfSatisfying(InstancePoolReport.Absent.class, a -> {
                    assertThat(a.ready().reason()).isEqualTo(NameConflict.REASON);
                    assertThat(a.ready().message()).contains(pool.getSpec().userDataSecretName, "left untouched");
                });
    }

    @Test
    void aMissingOrUnnamedUserDataSecretIsWaitedForWithoutSayingNull() {
        PoolCondition missing =
                ((InstancePoolReport.Absent) InstancePoolReport.userData(pool, Optional.empty())).ready();
        assertThat(missing.reason()).isEqualTo("WaitingForUserData");
        assertThat(missing.message()).contains(pool.getSpec().userDataSecretName);

        pool.getSpec().userDataSecretName = null;
        PoolCondition unnamed =
                ((InstancePoolReport.Absent) InstancePoolReport.userData(pool, Optional.empty())).ready();
        assertThat(unnamed.reason()).isEqualTo("UserDataSecretNotSet");
        assertThat(unnamed.message()).doesNotContain("null");
    }

    @Test
    void machinesAreRunningOnlyWhenEveryWantedInstanceRuns() {
        InstancePoolReport.Machines up = InstancePoolReport.machines(3, 3, 3, null);
        assertThat(up.state()).isEqualTo(PoolState.Running);
        assertThat(up.ready().status()).isTrue();
        InstancePoolReport.Machines growing = InstancePoolReport.machines(5, 3, 5, PoolState.Running);
        assertThat(growing.state()).isEqualTo(PoolState.Scaling);
        assertThat(growing.ready().message()).isEqualTo("3 of 5 instances running");
        assertThat(InstancePoolReport.machines(1, 0, 1, null).state()).isEqualTo(PoolState.Creating);
        assertThat(InstancePoolReport.instanceTypeNotFound(null).message()).doesNotContain("null");
        assertThat(InstancePoolReport.instanceTypeNotFound("huge.galactic").reason())
                .isEqualTo("InstanceTypeNotFound");
    }

    @Test
    void providerFailuresNameTheProviderAndTheCall() {
        PoolCondition ready = InstancePoolReport.providerFailed("exoscale", "quota exceeded");
        assertThat(ready.reason()).isEqualTo("ProviderError");
        assertThat(ready.message()).isEqualTo("exoscale: quota exceeded");
        assertThat(InstancePoolReport.providerCallFailed(
                        "exoscale", "evict instances a", "not found", "retrying in 30s"))
                .isEqualTo("exoscale failed to evict instances a: not found; retrying in 30s");
        assertThat(InstancePoolReport.evicted(List.of("a", "b"), 3)).contains("a, b", "3 instances");
    }

    @Test
    void nodesAreRegisteredOnlyWhenTheLastSyncAnsweredThisRequest() {
        DesiredPool desired = DesiredPool.from(
                pool, InstanceTypeCatalog.loadDefault().find("standard.medium").orElseThrow(), "");
        ProviderInstance one = new ProviderInstance("id-1", "pool-1", InstanceState.Running, List.of("10.0.0.1"));
        PoolNodes.Request request = PoolNodes.Request.of(desired, List.of(one), List.of());
        PoolNodes.Request before = PoolNodes.Request.of(desired, List.of(), List.of());

        PoolCondition first = InstancePoolReport.nodes(Optional.empty(), request, true);
        assertThat(first.status()).isFalse();
        assertThat(first.reason()).isEqualTo("Registering");

        var synced = Optional.of(new KeyedWork.Outcome<>(
                request,
                new PoolNodes.Result(true, "Registered", "1 Nodes registered and Ready", Set.of("pool-1"), Set.of())));
        assertThat(InstancePoolReport.nodes(synced, request, true).status()).isTrue();
        assertThat(InstancePoolReport.inSync(synced, request)).isTrue();

        var stale = Optional.of(new KeyedWork.Outcome<>(
                before, new PoolNodes.Result(true, "Registered", "0 Nodes registered and Ready", Set.of(), Set.of())));
        assertThat(InstancePoolReport.nodes(stale, request, false).reason()).isEqualTo("Registering");
        assertThat(InstancePoolReport.inSync(stale, request)).isFalse();

        var unreachable = Optional.of(new KeyedWork.Outcome<>(
                request,
                new PoolNodes.Result(
                        false, "TenantUnreachable", "the tenant API server does not answer", Set.of(), Set.of())));
        PoolCondition away = InstancePoolReport.nodes(unreachable, request, true);
        assertThat(away.status()).isFalse();
        assertThat(away.reason()).isEqualTo("TenantUnreachable");
    }

    @Test
    void onlyAForeignUserDataSecretIsAnErrorAndABlankNameIsNoName() {
        assertThat(InstancePoolReport.userDataSecretName(pool)).contains(pool.getSpec().userDataSecretName);
        Secret foreign = secret(pool.getSpec().userDataSecretName, false);
        assertThat(((InstancePoolReport.Absent) InstancePoolReport.userData(pool, Optional.of(foreign))).conflict())
                .isTrue();
        assertThat(((InstancePoolReport.Absent) InstancePoolReport.userData(pool, Optional.empty())).conflict())
                .isFalse();
        pool.getSpec().userDataSecretName = " ";
        assertThat(InstancePoolReport.userDataSecretName(pool)).isEmpty();
        assertThat(((InstancePoolReport.Absent) InstancePoolReport.userData(pool, Optional.empty()))
                        .ready()
                        .reason())
                .isEqualTo("UserDataSecretNotSet");
    }

    @Test
    void aRunningPoolWithAnInstanceStillStartingIsNotSettled() {
        InstancePoolReport.Machines up = InstancePoolReport.machines(2, 2, 2, null);
        ProviderInstance running = new ProviderInstance("id-1", "pool-1", InstanceState.Running, List.of());
        ProviderInstance starting = new ProviderInstance("id-2", "pool-2", InstanceState.Starting, List.of());
        ProviderInstance leaving = new ProviderInstance("id-3", "pool-3", InstanceState.Stopping, List.of());
        assertThat(up.settled(new ProviderPool("p", List.of(running, leaving)))).isTrue();
        assertThat(up.settled(new ProviderPool("p", List.of(running, starting))))
                .isFalse();
        assertThat(InstancePoolReport.machines(2, 1, 2, null).settled(new ProviderPool("p", List.of(running))))
                .isFalse();
    }

    @Test
    void aFailedDeletionSaysWhenItIsTriedAgainAndThatThePoolStays() {
        assertThat(InstancePoolReport.retrying(Duration.ofSeconds(30))).isEqualTo("retrying in 30s");
        assertThat(InstancePoolReport.deleteFailed("exoscale", "quota exceeded", Duration.ofSeconds(30)))
                .isEqualTo("exoscale failed to delete the pool's instances: quota exceeded; retrying in 30s; "
                        + "the InstancePool stays until its instances are gone");
    }

    private Secret secret(String name, boolean ownedByThePool) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ns-1")
                .endMetadata()
                .addToData(
                        Names.USER_DATA_KEY,
                        Base64.getEncoder().encodeToString("#cloud-config".getBytes(StandardCharsets.UTF_8)));
        if (ownedByThePool) {
            secret.editMetadata()
                    .withOwnerReferences(Owners.controllerReferenceTo(pool))
                    .endMetadata();
        }
        return secret.build();
    }
}
