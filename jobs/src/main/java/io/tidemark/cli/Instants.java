package io.tidemark.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line instants: an ISO-8601 instant with a zone, or a date meaning its UTC midnight. */
final class Instants implements ITypeConverter<Instant> {
  @Override
  public Instant convert(String text) {
    try {
      if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + text + "' is not an instant: write 2024-03-01T00:00:00Z, an offset "
          + "like +02:00, or a date 2024-03-01 (UTC midnight)");
    }
  }
}
