package io.tidemark.definitions;

import java.util.Locale;
import java.util.Optional;

/** Table formats of the offline store. */
public enum StorageFormat {
  DELTA, PARQUET;

  public String sparkName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<StorageFormat> parse(String text) {
    for (StorageFormat f : values()) {
      if (f.sparkName().equals(text.toLowerCase(Locale.ROOT))) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
