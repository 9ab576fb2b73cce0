package io.tidemark.definitions;

import java.util.Optional;

/** How event times may be written in raw data. iso8601 and epoch_seconds are accepted by default, as in SageMaker. */
public enum EventTimeFormat {
  /** ISO-8601 instant with an explicit zone: {@code 2024-05-01T12:00:00Z}, {@code 2024-05-01T14:00:00+02:00}. */
  ISO8601("iso8601"),
  /** Seconds since the epoch, optionally fractional: {@code 1714564800}, {@code 1714564800.25}. */
  EPOCH_SECONDS("epoch_seconds"),
  /** Milliseconds since the epoch, optionally fractional: {@code 1714564800000}. Not together with epoch_seconds. */
  EPOCH_MILLIS("epoch_millis");

  /** The formats of a Timestamp feature that is not the event time, and of an event time by default. */
  public static final java.util.List<EventTimeFormat> DEFAULT = java.util.List.of(ISO8601, EPOCH_SECONDS);

  private final String yamlName;

  EventTimeFormat(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public static Optional<EventTimeFormat> fromYaml(String name) {
    for (EventTimeFormat f : values()) {
      if (f.yamlName.equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
