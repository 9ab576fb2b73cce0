package io.tidemark.cli;

import java.time.Instant;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line instants ({@link io.tidemark.util.Instants}): an ISO-8601 instant with a zone, or a UTC date. */
final class Instants implements ITypeConverter<Instant> {
  @Override
  public Instant convert(String text) {
    return io.tidemark.util.Instants.parse(text).orElseThrow(() -> new TypeConversionException("'" + text
        + "' is not an instant: " + io.tidemark.util.Instants.FORMS));
  }
}
