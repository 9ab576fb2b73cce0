package io.tidemark.definitions;

import java.time.Duration;
import java.util.Optional;

/** Whether the latest record per id is served from the online store, and for how long after its event time. */
public record OnlineSettings(boolean enabled, Optional<Duration> ttl) {
  public static OnlineSettings disabled() {
    return new OnlineSettings(false, Optional.empty());
  }
}
