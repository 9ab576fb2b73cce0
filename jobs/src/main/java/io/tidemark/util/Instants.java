package io.tidemark.util;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Instants as users write them: an ISO-8601 instant with a zone or offset, or a date meaning its UTC midnight. */
public final class Instants {
  /** How to write one, for error messages. */
  public static final String FORMS = "write 2024-03-01T00:00:00Z, an offset like +02:00, or a date 2024-03-01 "
      + "(UTC midnight)";

  private Instants() {}

  /** The instant {@code text} names, or empty when it names none. */
  public static Optional<Instant> parse(String text) {
    try {
      if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return Optional.of(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
      }
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
