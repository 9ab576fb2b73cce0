package io.tidemark.definitions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a group's rows come from: one or more named raw inputs and an optional SQL transform that combines them.
 * A single {@code source:} is one input named {@code input}; {@code sources:} names several, and then the transform
 * reads each through {@code {{name}}}.
 */
public record SourceDefinition(List<SourceInput> inputs, Optional<Path> transform) {
  public static final String SINGLE_INPUT = "input";

  public SourceDefinition {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a source needs at least one input");
    }
  }

  /** A single input named {@code input}. */
  public SourceDefinition(String path, SourceFormat format, Map<String, String> options, Optional<Path> transform) {
    this(List.of(new SourceInput(SINGLE_INPUT, path, format, options, Optional.empty())), transform);
  }

  /** The first (for a single source, the only) input. */
  public SourceInput primary() {
    return inputs.get(0);
  }

  public String path() {
    return primary().path();
  }

  public SourceFormat format() {
    return primary().format();
  }

  public Map<String, String> options() {
    return primary().options();
  }

  /** Where the rows come from, for logs and the quarantine: the paths of all inputs. */
  public String describe() {
    return String.join(", ", inputs.stream().map(SourceInput::path).toList());
  }

  /**
   * The same source read from another location (the CLI's {@code --source PATH --format FMT}); only for a group
   * with one input.
   */
  public SourceDefinition withLocation(String newPath, SourceFormat newFormat) {
    if (inputs.size() > 1) {
      throw new IllegalArgumentException("this group reads " + inputs.size() + " sources ("
          + String.join(", ", inputs.stream().map(SourceInput::name).toList())
          + "); --source replaces only a single source");
    }
    return new SourceDefinition(List.of(primary().withLocation(newPath, newFormat)), transform);
  }

  /** Every input with some reader options replaced or added (the CLI's {@code --source-option}). */
  public SourceDefinition withOptions(Map<String, String> overrides) {
    return new SourceDefinition(inputs.stream().map(i -> i.withOptions(overrides)).toList(), transform);
  }

  public static Map<String, String> defaultOptions(SourceFormat format) {
    return format == SourceFormat.CSV ? Map.of("header", "true") : Map.of();
  }
}
