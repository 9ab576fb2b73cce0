package io.tidemark.definitions;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Formats a raw source can be read in. */
public enum SourceFormat {
  CSV, JSON, PARQUET, DELTA;

  public String sparkName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SourceFormat> parse(String text) {
    return Arrays.stream(values()).filter(f -> f.sparkName().equals(text.toLowerCase(Locale.ROOT))).findFirst();
  }

  public static String allowedNames() {
    return Arrays.stream(values()).map(SourceFormat::sparkName).collect(Collectors.joining(", "));
  }
}
