package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * An object the operator would write, whose name is taken by one it did not make: no controller owner reference to
 * the UID of the resource that wants it. Such an object is never used, changed or deleted; the resource that wants
 * the name reports this (reason {@link #REASON}) and makes nothing more until the object is gone or renamed.
 */
public record NameConflict(String kind, String name) {
    public static final String REASON = "NameConflict";

    /** The conflict {@code existing} is for {@code owner}, or none when {@code owner} controls it. */
    public static Optional<NameConflict> of(HasMetadata existing, HasMetadata owner) {
        return Owners.isControlledBy(existing, owner)
                ? Optional.empty()
                : Optional.of(new NameConflict(
                        existing.getKind(), existing.getMetadata().getName()));
    }

    /** What to tell the user: which object, why it is left alone, and what to do. */
    public String message(HasMetadata owner) {
        return kind + " " + name + " exists and was not made for " + owner.getKind() + " "
                + owner.getMetadata().getName() + " (it has no controller reference to it), so it is left untouched; "
                + "delete or rename that " + kind + ", or give the " + owner.getKind() + " another name";
    }
}
