package io.tidemark.asof;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How "as of the spine time t" is read, for every source of a join.
 *
 * @param strict candidates need {@code event_time < t - delay} instead of {@code <=}
 * @param delay candidates need {@code event_time <= t - delay} (features become usable only after a delay)
 * @param asKnownAt bitemporal: candidates also need {@code write_time <= t}, so later corrections never leak
 * @param asOf global time travel: only rows with {@code write_time <= asOf} exist at all
 */
public record AsOfOptions(boolean strict, Duration delay, boolean asKnownAt, Optional<Instant> asOf) {
  public AsOfOptions {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
  }

  public static AsOfOptions defaults() {
    return new AsOfOptions(false, Duration.ZERO, false, Optional.empty());
  }

  public AsOfOptions withStrict(boolean value) {
    return new AsOfOptions(value, delay, asKnownAt, asOf);
  }

  public AsOfOptions withDelay(Duration value) {
    return new AsOfOptions(strict, value, asKnownAt, asOf);
  }

  public AsOfOptions withAsKnownAt(boolean value) {
    return new AsOfOptions(strict, delay, value, asOf);
  }

  public AsOfOptions withAsOf(Optional<Instant> value) {
    return new AsOfOptions(strict, delay, asKnownAt, value);
  }

  /**
   * Microseconds to add to a row's event time to get the first spine time it may serve:
   * {@code event_time + delay <= t}, or {@code < t} when strict (timestamps are whole microseconds).
   */
  long eventShiftMicros() {
    return micros(delay) + (strict ? 1 : 0);
  }

  /** Whether a row's first eligible spine time differs from its event time (a delay, or known-at). */
  boolean shiftsEventTime() {
    return eventShiftMicros() != 0 || asKnownAt;
  }

  static long micros(Duration d) {
    return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1000);
  }
}
