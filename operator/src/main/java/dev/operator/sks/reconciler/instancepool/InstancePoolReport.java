package dev.operator.sks.reconciler.instancepool;

import dev.operator.sks.api.InstancePool;
import dev.operator.sks.api.PoolState;
import dev.operator.sks.join.UserDataSecrets;
import dev.operator.sks.naming.Names;
import dev.operator.sks.provider.InstanceState;
import dev.operator.sks.provider.ProviderPool;
import dev.operator.sks.reconciler.nodepool.PoolCondition;
import dev.operator.sks.rendering.NameConflict;
import dev.operator.sks.status.Conditions;
import dev.operator.sks.tenant.KeyedWork;
import dev.operator.sks.tenant.PoolNodes;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What an InstancePool's status says, from what its reconcile observed and did: pure, so every wording is tested
 * without a server.
 */
public final class InstancePoolReport {
    private InstancePoolReport() {}

    /** The user-data a pool's machines boot with, or why there is none to use. */
    public sealed interface UserData permits Present, Absent, OtherRevision {}

    public record Present(String userData) implements UserData {
        /** Never printed: it holds a join token. */
        @Override
        public String toString() {
            return "Present[" + userData.length() + " chars]";
        }
    }

    /**
     * The Secret holds user-data rendered for another machine revision than the pool's spec names: the Nodepool writes
     * the spec and then the user-data, and this reconcile saw one without the other. Nothing boots until they agree
     * (the write that follows wakes the pool), so a machine is never recorded under a revision it did not boot with.
     */
    public record OtherRevision(String renderedFor, String wanted) implements UserData {}

    /** Nothing to boot with; {@code ready} says why. */
    public record Absent(PoolCondition ready) implements UserData {
        /** Another's Secret holds the name: that needs a person, whereas a missing one is only waited for. */
        public boolean conflict() {
            return NameConflict.REASON.equals(ready.reason());
        }
    }

    /**
     * The pool's user-data from its Secret, used only when the pool controls that Secret: another Secret of the name
     * (another pool's, holding its join token) is a {@link NameConflict}, never booted from.
     *
     * @param secret the Secret named {@code spec.userDataSecretName}, if it exists
     */
    public static UserData userData(InstancePool pool, Optional<Secret> secret) {
        String name = pool.getSpec().userDataSecretName;
        if (userDataSecretName(pool).isEmpty()) {
            return new Absent(PoolCondition.isFalse(
                    Conditions.READY,
                    "UserDataSecretNotSet",
                    "spec.userDataSecretName " + "is not set; the Nodepool that owns this pool sets it"));
        }
        if (secret.isEmpty()) {
            return new Absent(waitingForUserData(name));
        }
        Optional<NameConflict> conflict = NameConflict.of(secret.get(), pool);
        if (conflict.isPresent()) {
            return new Absent(PoolCondition.isFalse(
                    Conditions.READY, NameConflict.REASON, conflict.get().message(pool)));
        }
        String encoded =
                secret.get().getData() == null ? null : secret.get().getData().get(Names.USER_DATA_KEY);
        if (encoded == null) {
            return new Absent(waitingForUserData(name));
        }
        Optional<String> renderedFor = UserDataSecrets.revision(secret.get());
        String wanted = pool.getSpec().revision;
        if (renderedFor.isPresent() && wanted != null && !wanted.equals(renderedFor.get())) {
            return new OtherRevision(renderedFor.get(), wanted);
        }
        return new Present(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
    }

    /** The name of the Secret the pool's user-data is read from; empty when spec.userDataSecretName is unset. */
    public static Optional<String> userDataSecretName(InstancePool pool) {
        String name = pool.getSpec().userDataSecretName;
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name);
    }

    private static PoolCondition waitingForUserData(String name) {
        return PoolCondition.isFalse(
                Conditions.READY,
                "WaitingForUserData",
                "waiting for the user-data Secret " + name + " (rendered once the cluster's PKI exists)");
    }

    /** Ready of a pool that is not its Nodepool's own, or whose Nodepool has not recorded its cluster yet. */
    public static PoolCondition ownership(PoolOwnership.Verdict verdict) {
        if (verdict instanceof PoolOwnership.Refused refused) {
            return PoolCondition.isFalse(Conditions.READY, PoolOwnership.NOT_OWNED, refused.message());
        }
        if (verdict instanceof PoolOwnership.Waiting waiting) {
            return PoolCondition.isFalse(Conditions.READY, PoolOwnership.WAITING, waiting.message());
        }
        if (verdict instanceof PoolOwnership.Detached detached) {
            return PoolCondition.isFalse(Conditions.READY, detached.reason(), detached.message());
        }
        return PoolCondition.isTrue(Conditions.READY, "Owned", "the pool is its Nodepool's own");
    }

    /** Ready of a pool whose instance type the catalog does not know (the Nodepool's validation keeps this rare). */
    public static PoolCondition instanceTypeNotFound(String instanceType) {
        return PoolCondition.isFalse(
                Conditions.READY,
                "InstanceTypeNotFound",
                "instance type " + (instanceType == null ? "(none)" : instanceType)
                        + " is not in the catalog; use one such as standard.medium");
    }

    /** The state and Ready of a pool whose machines the provider reported. */
    public record Machines(PoolState state, PoolCondition ready) {
        /** Running, with no instance of {@code observed} still starting: nothing to poll for. */
        public boolean settled(ProviderPool observed) {
            return state == PoolState.Running
                    && observed.members().stream().noneMatch(i -> i.state() == InstanceState.Starting);
        }
    }

    /**
     * @param size     members that exist (not on their way out)
     * @param running  members running
     * @param wanted   spec.size
     * @param previous the state before this reconcile: a pool that ran before is Scaling, not Creating
     */
    public static Machines machines(int size, int running, int wanted, PoolState previous) {
        boolean converged = size == wanted && running == wanted;
        boolean ranBefore = previous == PoolState.Running || previous == PoolState.Scaling;
        PoolState state = converged ? PoolState.Running : ranBefore ? PoolState.Scaling : PoolState.Creating;
        return new Machines(
                state,
                new PoolCondition(
                        Conditions.READY,
                        converged,
                        converged ? "Running" : "Converging",
                        running + " of " + wanted + " instances running"));
    }

    /** Ready after a provider call failed; {@code safeMessage} has been through {@code ProviderMessages.safe}. */
    public static PoolCondition providerFailed(String provider, String safeMessage) {
        return PoolCondition.isFalse(Conditions.READY, "ProviderError", provider + ": " + safeMessage);
    }

    /** Ready when the provider cannot boot the pool's image: reason {@code ImageRejected}, its message says what to set. */
    public static PoolCondition imageRejected(String provider, String safeMessage) {
        return PoolCondition.isFalse(Conditions.READY, "ImageRejected", provider + ": " + safeMessage);
    }

    /** The Warning Event of a failed provider call: which call, the provider's (withheld-from) message, what next. */
    public static String providerCallFailed(String provider, String call, String safeMessage, String next) {
        return provider + " failed to " + call + ": " + safeMessage + "; " + next;
    }

    /** The next step after a failed provider call that is tried again. */
    public static String retrying(Duration retry) {
        return "retrying in " + retry.toSeconds() + "s";
    }

    /** The Warning Event of a failed deletion of the pool's instances, which keeps the InstancePool. */
    public static String deleteFailed(String provider, String safeMessage, Duration retry) {
        return providerCallFailed(
                provider,
                "delete the pool's instances",
                safeMessage,
                retrying(retry) + "; the InstancePool stays until its instances are gone");
    }

    /** The Event of instances the provider removed by name. */
    public static String evicted(List<String> instances, int size) {
        return "Evicted instances " + String.join(", ", instances) + " as spec.evict asked; the pool keeps " + size
                + " instances";
    }

    /**
     * NodesRegistered: whether the running instances have Ready Nodes in the tenant, from the last sync of the pool's
     * Nodes ({@code last}, empty before the first ends) and the request this reconcile made.
     */
    public static PoolCondition nodes(
            Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last,
            PoolNodes.Request request,
            boolean simulating) {
        if (inSync(last, request)) {
            return PoolCondition.isTrue(
                    Conditions.NODES_REGISTERED,
                    last.get().result().reason(),
                    last.get().result().message());
        }
        if (last.isPresent() && !last.get().result().synced()) {
            return PoolCondition.isFalse(
                    Conditions.NODES_REGISTERED,
                    last.get().result().reason(),
                    last.get().result().message());
        }
        return PoolCondition.isFalse(
                Conditions.NODES_REGISTERED,
                "Registering",
                simulating
                        ? "registering the running instances' Nodes in the tenant cluster"
                        : "reading the running instances' Nodes in the tenant cluster");
    }

    /** Whether the last sync answered this very request and found every Node there. */
    public static boolean inSync(
            Optional<KeyedWork.Outcome<PoolNodes.Request, PoolNodes.Result>> last, PoolNodes.Request request) {
        return last.filter(o -> o.result().synced() && o.input().equals(request))
                .isPresent();
    }
}
