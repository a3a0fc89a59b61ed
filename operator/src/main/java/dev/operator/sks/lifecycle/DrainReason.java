package dev.operator.sks.lifecycle;

/** Why a machine is drained and removed; recorded with the drain (status.draining[].reason). */
public enum DrainReason {
    /** The pool has more machines than spec.size asks. */
    ScaleDown,
    /** It was made from an old revision and a new machine takes its place. */
    Replace,
    /** Its Node was not Ready for longer than autoRepair.unhealthyAfter. */
    Repair,
    /** A person named it in the sks.operator.dev/evict annotation. */
    Evict;

    /** The reason of a drain recorded as {@code text}; unknown text (an older operator's) counts as a scale-down. */
    public static DrainReason parse(String text) {
        for (DrainReason reason : values()) {
            if (reason.name().equals(text)) {
                return reason;
            }
        }
        return ScaleDown;
    }
}
