package dev.operator.sks.rendering;

/** Thrown where an object would be written over a {@link NameConflict}; the reconcile reports it and stops. */
public final class NameConflictException extends RuntimeException {
    private final NameConflict conflict;

    public NameConflictException(NameConflict conflict) {
        super(conflict.kind() + " " + conflict.name() + " is not owned by the operator");
        this.conflict = conflict;
    }

    public NameConflict conflict() {
        return conflict;
    }
}
