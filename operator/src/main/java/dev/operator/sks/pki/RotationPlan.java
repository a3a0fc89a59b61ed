package dev.operator.sks.pki;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The phases of rotating a CA or the service-account key with a dual-trust window, decided from what is observed: what
 * the key's Secret holds, what the cluster asks for, and whether the control plane has rolled out at what its Secrets
 * say now. Pure, so a restart in the middle resumes from the Secret, and a rollout not finished only waits.
 *
 * <ol>
 *   <li>{@link Phase#TRUSTING_NEW}: the new key is trusted next to the old one (every trust bundle carries both); the
 *       old one still signs;
 *   <li>{@link Phase#SIGNING_WITH_NEW}: the new key signs (leaves are re-issued under it), the old one is still
 *       trusted, for a service-account key until every token it signed has expired;
 *   <li>{@link Phase#REMOVING_OLD}: the old key is no longer trusted; done once the control plane has rolled.
 * </ol>
 *
 * Each step is taken only once the control plane rolled out the previous one, so no component ever meets a peer it
 * does not trust.
 */
public final class RotationPlan {
    private RotationPlan() {}

    /** What a key's Secret holds: the one key, or two during a rotation (which of them signs). */
    public enum Held {
        ONE,
        /** The old key signs; the new one ({@code next.*}) is trusted. */
        OLD_SIGNS_BOTH_TRUSTED,
        /** The new key signs; the old one ({@code previous.crt}) is still trusted. */
        NEW_SIGNS_BOTH_TRUSTED
    }

    /** The phase a rotation is in, as {@code status.certificates.rotations[].phase} shows it. */
    public enum Phase {
        TRUSTING_NEW("TrustingNew"),
        SIGNING_WITH_NEW("SigningWithNew"),
        REMOVING_OLD("RemovingOld");

        private final String shown;

        Phase(String shown) {
            this.shown = shown;
        }

        public String shown() {
            return shown;
        }

        public static Optional<Phase> parse(String shown) {
            for (Phase phase : values()) {
                if (phase.shown.equals(shown)) {
                    return Optional.of(phase);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * @param held         what the key's Secret holds now
     * @param requested    the cluster's rotate annotation, when set
     * @param handled      the annotation value the newest key was made for, recorded on its Secret
     * @param reported     the phase status reported last, if a rotation was in progress: after the old key is dropped
     *                     the Secret holds one key again, and only this says the last rollout is still awaited
     * @param settled      every control-plane workload rolled out at the certificates its Secrets hold now
     * @param oldTrustedUntil until when the old key must stay trusted (tokens it signed), if bounded
     * @param now          the injected clock's instant
     * @param nodesHoldBack for the cluster CA: why the new CA may not sign yet (machines that trust only the old one
     *                     are still being replaced, {@link NodeTrust#holdBack}); empty for other keys
     */
    public record Observation(
            Held held,
            Optional<String> requested,
            Optional<String> handled,
            Optional<Phase> reported,
            boolean settled,
            Optional<Instant> oldTrustedUntil,
            Instant now,
            Optional<String> nodesHoldBack) {
        /** For a key that no node trusts directly. */
        public Observation(
                Held held,
                Optional<String> requested,
                Optional<String> handled,
                Optional<Phase> reported,
                boolean settled,
                Optional<Instant> oldTrustedUntil,
                Instant now) {
            this(held, requested, handled, reported, settled, oldTrustedUntil, now, Optional.empty());
        }

        public Observation {
            Objects.requireNonNull(held, "held");
            requested = requested == null ? Optional.empty() : requested.filter(v -> !v.isBlank());
            handled = handled == null ? Optional.empty() : handled;
            reported = reported == null ? Optional.empty() : reported;
            oldTrustedUntil = oldTrustedUntil == null ? Optional.empty() : oldTrustedUntil;
            Objects.requireNonNull(now, "now");
            nodesHoldBack = nodesHoldBack == null ? Optional.empty() : nodesHoldBack;
        }
    }

    /** What to do now. */
    public sealed interface Step {
        /** The phase to report after this step; empty when no rotation is in progress. */
        Optional<Phase> phase();
    }

    /** No rotation asked for or in progress. */
    public record Idle() implements Step {
        @Override
        public Optional<Phase> phase() {
            return Optional.empty();
        }
    }

    /** Make the new key for {@code rotation} and trust it next to the old one. */
    public record Begin(String rotation) implements Step {
        @Override
        public Optional<Phase> phase() {
            return Optional.of(Phase.TRUSTING_NEW);
        }
    }

    /** Let the new key sign; the old one stays trusted. */
    public record Promote() implements Step {
        @Override
        public Optional<Phase> phase() {
            return Optional.of(Phase.SIGNING_WITH_NEW);
        }
    }

    /** Trust the new key only. */
    public record RetireOld() implements Step {
        @Override
        public Optional<Phase> phase() {
            return Optional.of(Phase.REMOVING_OLD);
        }
    }

    /** The last rollout is done: the rotation is complete. */
    public record Finish() implements Step {
        @Override
        public Optional<Phase> phase() {
            return Optional.empty();
        }
    }

    /**
     * Nothing to do until the control plane has rolled out, or (with {@code until}) until the old key may go.
     *
     * @param until when to look again, when waiting for a time rather than a rollout
     * @param waitingFor what is awaited besides the control plane's rollout, in words (the nodes' replacement)
     */
    public record Wait(Phase in, Optional<Instant> until, Optional<String> waitingFor) implements Step {
        public Wait(Phase in, Optional<Instant> until) {
            this(in, until, Optional.empty());
        }

        @Override
        public Optional<Phase> phase() {
            return Optional.of(in);
        }
    }

    public static Step next(Observation observed) {
        return switch (observed.held()) {
            case OLD_SIGNS_BOTH_TRUSTED -> {
                if (!observed.settled()) {
                    yield new Wait(Phase.TRUSTING_NEW, Optional.empty());
                }
                // Leaves re-issued under the new CA would be refused by kubelets that booted trusting the old one.
                yield observed.nodesHoldBack().isPresent()
                        ? new Wait(Phase.TRUSTING_NEW, Optional.empty(), observed.nodesHoldBack())
                        : new Promote();
            }
            case NEW_SIGNS_BOTH_TRUSTED -> {
                Optional<Instant> notYet =
                        observed.oldTrustedUntil().filter(t -> observed.now().isBefore(t));
                if (!observed.settled()) {
                    yield new Wait(Phase.SIGNING_WITH_NEW, Optional.empty());
                }
                yield notYet.isPresent() ? new Wait(Phase.SIGNING_WITH_NEW, notYet) : new RetireOld();
            }
            case ONE -> {
                if (observed.reported().isPresent()) {
                    // A rotation was reported in progress and the Secret holds one key: the old one was dropped.
                    yield observed.settled() ? new Finish() : new Wait(Phase.REMOVING_OLD, Optional.empty());
                }
                boolean asked = observed.requested().isPresent()
                        && !observed.requested().equals(observed.handled());
                yield asked ? new Begin(observed.requested().get()) : new Idle();
            }
        };
    }
}
