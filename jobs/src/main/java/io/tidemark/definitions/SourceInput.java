package io.tidemark.definitions;

import java.util.Map;
import java.util.Optional;

/**
 * One raw input of a group: a path or URI (local, s3://, s3a://), its format and Spark reader options.
 *
 * @param name the placeholder that reads it in the transform ({@code {{input}}} for a single source)
 * @param datePartitionColumn a {@code yyyy-MM-dd} partition column of the source (e.g. {@code dt}) that
 *     {@code ingest --start/--end} prunes on, so a backfill reads only the folders it needs
 */
public record SourceInput(String name, String path, SourceFormat format, Map<String, String> options,
    Optional<String> datePartitionColumn) {

  public SourceInput {
    options = Map.copyOf(options);
  }

  /** The same input with some reader options replaced or added. */
  public SourceInput withOptions(Map<String, String> overrides) {
    Map<String, String> merged = new java.util.TreeMap<>(options);
    merged.putAll(overrides);
    return new SourceInput(name, path, format, merged, datePartitionColumn);
  }

  public SourceInput withLocation(String newPath, SourceFormat newFormat) {
    return new SourceInput(name, newPath, newFormat,
        newFormat == format ? options : SourceDefinition.defaultOptions(newFormat), datePartitionColumn);
  }
}
