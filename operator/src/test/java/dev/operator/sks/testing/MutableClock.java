package dev.operator.sks.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock plus an offset a test can move forward, passed to the operator through OperatorServices: expiry and
 * renewal of short-lived certificates can then be seen in seconds. Thread-safe.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

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
    return Instant.now().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("UTC only");
  }
}
