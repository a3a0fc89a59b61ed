package dev.operator.sks.status;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Status is written by server-side apply from a fresh object holding only name, namespace and status, so the
 * operator never sends (or fights over) spec and metadata it does not own.
 */
public final class StatusPatches {
    public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StatusPatches() {}

    public static <S, R extends CustomResource<?, S>> R statusOnly(R resource, S status, Supplier<R> factory) {
        R patch = factory.get();
        ObjectMeta meta = resource.getMetadata();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(meta.getName())
                .withNamespace(meta.getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }

    /** Whether two statuses differ in what they would write; saves a write (and an event) when nothing changed. */
    public static boolean differ(Object oldStatus, Object newStatus) {
        return !Objects.equals(SERIALIZATION.asJson(oldStatus), SERIALIZATION.asJson(newStatus));
    }

    /** A copy that can be changed without touching the informer's cached object. */
    public static <T> T copy(T status, Class<T> type, Supplier<T> empty) {
        return status == null ? empty.get() : SERIALIZATION.clone(status);
    }

    /** An exception's message, bounded, for a condition (our own exceptions never carry key material). */
    public static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 400 ? message.substring(0, 400) + "..." : message;
    }
}
