package dev.operator.sks.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves forward, passed to the operator through OperatorServices: expiry, renewal and rotation can
 * then be seen in seconds. It either follows the system clock plus an offset, or stands still at a start instant
 * until moved. Always UTC. Thread-safe.
 */
public final class MutableClock extends Clock {
    private final Instant start;
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    /** The system clock plus whatever the test adds. */
    public MutableClock() {
        this(null);
    }

    /** A clock standing at {@code start} until the test moves it. */
    public MutableClock(Instant start) {
        this.start = start;
    }

    public void advance(Duration duration) {
        offset.updateAndGet(o -> o.plus(duration));
    }

    /** Moves the clock forward (never back) so that it reads {@code instant} now. */
    public void advanceTo(Instant instant) {
        Duration ahead = Duration.between(instant(), instant);
        if (ahead.isNegative()) {
            throw new IllegalArgumentException("the clock is already past " + instant);
        }
        advance(ahead);
    }

    public void reset() {
        offset.set(Duration.ZERO);
    }

    @Override
    public Instant instant() {
        return (start == null ? Instant.now() : start).plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
