package dev.operator.sks.lifecycle;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One machine of a pool as the lifecycle decisions see it.
 *
 * @param current whether it was made from the pool's current revision
 * @param ready whether its Node was Ready at the last look at the tenant
 * @param createdAt when the pool first saw it
 * @param notReadySince since when its Node is not Ready (the Node's transition, or createdAt when it never
 *     registered); empty while Ready
 */
public record Machine(String name, boolean current, boolean ready, Instant createdAt, Optional<Instant> notReadySince) {
    public Machine {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        // A machine without a Ready Node and no known transition (it never registered) counts from when it was first
        // seen.
        notReadySince = ready
                ? Optional.empty()
                : Objects.requireNonNullElse(notReadySince, Optional.<Instant>empty())
                        .or(() -> Optional.of(createdAt));
    }

    /** How long its Node has been not Ready at {@code now}; zero while Ready. */
    public java.time.Duration notReadyFor(Instant now) {
        return notReadySince
                .map(since -> java.time.Duration.between(since, now))
                .filter(d -> !d.isNegative())
                .orElse(java.time.Duration.ZERO);
    }
}
