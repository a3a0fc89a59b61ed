package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The names of the objects of a kind in a namespace that are not labelled managed-by the operator, which its informers
 * do not see: what a new cluster's names may collide with. One list of them is shared by every reconcile in that
 * namespace for {@link #SHARED_FOR}, instead of one list for each new cluster.
 *
 * <p>Each list is served from the API server's watch cache, which has to go through every object of the kind in the
 * namespace to match the label: with a thousand clusters in one namespace, 16,000 Secrets for each of a thousand new
 * clusters. Those lists were a fifth of the API server's CPU, more than all the creates.
 *
 * <p>A shared list can be older, and it only ever saves a request, never decides alone. A name it says is free that
 * was taken since makes the create fail (409), which reads the object and refuses it unless the cluster controls it,
 * as a name the watch cache had not seen yet always did. A name it says is taken is read live before anything is
 * concluded, since its object may be gone: {@link #free} answers only for the names it saw free.
 */
final class UnwatchedNames {
    /** How long a list answers for: a few seconds of new clusters share one, and a stale one costs only a request. */
    static final Duration SHARED_FOR = Duration.ofSeconds(5);

    private record Key(Class<? extends HasMetadata> type, String namespace) {}

    /** A list's names, and when it was asked for: what it says holds from then on, not from its answer. */
    private record Listing(Instant asked, Set<String> names) {}

    private final Clock clock;
    /**
     * One slot per kind and namespace, and the lock the reconciles that want its list at once wait on, so one of them
     * asks for all.
     */
    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

    UnwatchedNames(Clock clock) {
        this.clock = clock;
    }

    /** Whether no object of {@code type} named {@code name} that the informers do not see was in a recent list. */
    boolean free(KubernetesClient client, Class<? extends HasMetadata> type, String namespace, String name) {
        Key key = new Key(type, namespace);
        return !slots.computeIfAbsent(key, k -> new Slot()).names(client, key).contains(name);
    }

    private boolean current(Listing listing) {
        return listing != null && clock.instant().isBefore(listing.asked().plus(SHARED_FOR));
    }

    private final class Slot {
        private volatile Listing listing;

        Set<String> names(KubernetesClient client, Key key) {
            Listing known = listing;
            if (current(known)) {
                return known.names();
            }
            synchronized (this) {
                known = listing;
                if (current(known)) {
                    return known.names(); // listed by the reconcile this one waited for
                }
                Instant asked = clock.instant();
                Set<String> names = client
                        .resources(key.type())
                        .inNamespace(key.namespace())
                        .withoutLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                        .list(new ListOptionsBuilder().withResourceVersion("0").build())
                        .getItems()
                        .stream()
                        .map(o -> o.getMetadata().getName())
                        .collect(Collectors.toUnmodifiableSet());
                forgetOld(asked);
                listing = new Listing(asked, names);
                return names;
            }
        }
    }

    /**
     * Namespaces come and go: the names of a list no reconcile asked for since it went stale are dropped, and only its
     * empty slot is kept.
     */
    private void forgetOld(Instant now) {
        slots.values().forEach(slot -> {
            Listing old = slot.listing;
            if (old != null && !now.isBefore(old.asked().plus(SHARED_FOR.multipliedBy(2)))) {
                slot.listing = null;
            }
        });
    }
}
