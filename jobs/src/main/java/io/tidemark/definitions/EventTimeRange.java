package io.tidemark.definitions;

import java.time.Instant;

/**
 * The event times a group accepts, both ends inclusive; rows outside are quarantined with the reason. The default
 * is every instant that can be stored, year 0001 to 9999 (UTC); a narrower range catches unit mistakes such as epoch
 * milliseconds declared as seconds (year 56302).
 */
public record EventTimeRange(Instant min, Instant max) {
  public static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
  public static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999Z");
  public static final EventTimeRange STORABLE = new EventTimeRange(FIRST, LAST);

  public EventTimeRange {
    if (min.isAfter(max)) {
      throw new IllegalArgumentException("event time range: min " + min + " is after max " + max);
    }
  }

  public long minMicros() {
    return micros(min);
  }

  public long maxMicros() {
    return micros(max);
  }

  /** Microseconds since the epoch (Instant's own arithmetic goes through nanoseconds, which overflow here). */
  public static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  /** {@code 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z} */
  public String describe() {
    return min + ".." + max;
  }
}
