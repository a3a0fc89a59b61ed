package dev.operator.sks.provider;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a backend holds for one pool: its id there (keep it, e.g. in status, and pass it back in
 * {@link DesiredPool#providerId()} to save a look-up by name) and its instances, oldest first. Instances being
 * removed are listed as {@link InstanceState#Stopping} until they are gone.
 */
public record ProviderPool(String providerId, List<ProviderInstance> instances) {

    public ProviderPool {
        Objects.requireNonNull(providerId, "providerId");
        instances = List.copyOf(instances);
    }

    /** A pool the backend does not have (empty id, no instances). */
    public static ProviderPool absent() {
        return new ProviderPool("", List.of());
    }

    public boolean exists() {
        return !providerId.isEmpty();
    }

    public long runningCount() {
        return instances.stream().filter(ProviderInstance::isRunning).count();
    }

    /** Instances that are not on their way out. */
    public List<ProviderInstance> members() {
        return instances.stream()
                .filter(i -> i.state() != InstanceState.Stopping)
                .toList();
    }

    public Set<String> names() {
        return instances.stream().map(ProviderInstance::name).collect(Collectors.toUnmodifiableSet());
    }

    public Optional<ProviderInstance> find(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
