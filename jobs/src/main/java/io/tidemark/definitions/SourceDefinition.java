package io.tidemark.definitions;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a group's raw rows come from: a path or URI (local, s3://, s3a://), its format, Spark reader options and an
 * optional SQL transform file.
 */
public record SourceDefinition(
    String path, SourceFormat format, Map<String, String> options, Optional<Path> transform) {

  public SourceDefinition {
    options = Map.copyOf(options);
  }

  /** The same source read from another location (the CLI's {@code --source PATH --format FMT}). */
  public SourceDefinition withLocation(String newPath, SourceFormat newFormat) {
    return new SourceDefinition(newPath, newFormat, newFormat == format ? options : defaultOptions(newFormat), transform);
  }

  public static Map<String, String> defaultOptions(SourceFormat format) {
    return format == SourceFormat.CSV ? Map.of("header", "true") : Map.of();
  }
}
