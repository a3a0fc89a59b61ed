package dev.operator.sks.provider;

import dev.operator.sks.api.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One machine of a pool: the backend's id, its name (the Node name it registers with), state and IP addresses. */
public record ProviderInstance(String id, String name, InstanceState state, List<String> addresses) {

    public ProviderInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        addresses = List.copyOf(addresses);
    }

    public boolean isRunning() {
        return state == InstanceState.Running;
    }

    /** This instance as the InstancePool status lists it; the node name is the reconciler's to fill in. */
    public Instance toStatus() {
        Instance instance = new Instance();
        instance.name = name;
        instance.id = id;
        instance.state = state.name();
        instance.addresses = new ArrayList<>(addresses);
        return instance;
    }
}
