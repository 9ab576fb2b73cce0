package io.tidemark.definitions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a group's {@code source:} / {@code sources:} (paths with {@code ${variables}}, formats, options, the
 * transform file) and its {@code event_time_range:}.
 */
final class SourceParser {
  private static final List<String> SOURCE_KEYS = List.of("path", "format", "options", "transform",
      "date_partition_column");
  private static final List<String> NAMED_SOURCE_KEYS = List.of("path", "format", "options", "date_partition_column");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final Path projectRoot;
  private final Map<String, String> variables;

  SourceParser(Path projectRoot, Map<String, String> variables) {
    this.projectRoot = projectRoot;
    this.variables = variables;
  }

  Optional<SourceDefinition> parseSources(YamlMap group, List<DefinitionProblem> problems) {
    if (group.has("source") && group.has("sources")) {
      group.report("sources", "both 'source' and 'sources' are set", "use source: for one input, sources: for several");
      return Optional.empty();
    }
    if (group.has("source")) {
      if (group.has("transform")) {
        group.report("transform", "with a single source, the transform goes inside source:", "move it to source.transform");
      }
      return group.map("source").map(s -> {
        s.rejectUnknownKeys(SOURCE_KEYS);
        return new SourceDefinition(List.of(parseInput(s, SourceDefinition.SINGLE_INPUT)), transformPath(s));
      });
    }
    if (!group.has("sources")) {
      if (group.has("transform")) {
        group.report("transform", "a transform without sources", "add sources: or remove transform:");
      }
      return Optional.empty();
    }
    Optional<YamlMap> named = group.map("sources");
    List<SourceInput> inputs = new ArrayList<>();
    for (String inputName : named.map(YamlMap::keys).orElse(List.of())) {
      if (!DefinitionParser.IDENTIFIER.matcher(inputName).matches()) {
        named.get().report(inputName, "source name '" + inputName + "' is not a simple identifier",
            "use [a-z][a-z0-9_]*; the transform reads it as {{" + inputName + "}}");
        continue;
      }
      named.get().map(inputName).ifPresent(m -> {
        m.rejectUnknownKeys(NAMED_SOURCE_KEYS);
        inputs.add(parseInput(m, inputName));
      });
    }
    Optional<Path> transform = transformPath(group);
    if (transform.isEmpty()) {
      group.report("sources", "several sources need a transform that combines them",
          "add transform: sql/<file>.sql reading {{" + String.join("}}, {{", inputs.stream().map(SourceInput::name)
              .toList()) + "}}");
    }
    return inputs.isEmpty() ? Optional.empty() : Optional.of(new SourceDefinition(inputs, transform));
  }

  private Optional<Path> transformPath(YamlMap m) {
    return m.string("transform").map(t -> {
      Path resolved = projectRoot.resolve(t).normalize();
      if (!Files.isRegularFile(resolved)) {
        m.report("transform", "transform file '" + t + "' does not exist (looked for " + resolved + ")",
            "create it or fix the path; paths are relative to " + projectRoot);
      }
      return resolved;
    });
  }

  private SourceInput parseInput(YamlMap s, String inputName) {
    String path = s.requiredString("path", "add path: <a file, folder or s3:// URI>").map(p -> substitute(s, p))
        .orElse("");
    SourceFormat format = s.requiredString("format", "add format: one of " + SourceFormat.allowedNames())
        .flatMap(f -> {
          Optional<SourceFormat> parsed = SourceFormat.parse(f);
          if (parsed.isEmpty()) {
            s.report("format", "unknown source format '" + f + "'", "use one of " + SourceFormat.allowedNames());
          }
          return parsed;
        }).orElse(SourceFormat.CSV);
    Map<String, String> options = s.has("options") ? s.stringMap("options") : SourceDefinition.defaultOptions(format);
    return new SourceInput(inputName, path, format, options, s.string("date_partition_column"));
  }

  /** {@code event_time_range: {min: 2000-01-01, max: 2100-01-01T00:00:00Z}}: instants or UTC dates, inclusive. */
  EventTimeRange parseRange(YamlMap r) {
    r.rejectUnknownKeys(List.of("min", "max"));
    Instant min = r.string("min").flatMap(t -> instant(r, "min", t)).orElse(EventTimeRange.FIRST);
    Instant max = r.string("max").flatMap(t -> instant(r, "max", t)).orElse(EventTimeRange.LAST);
    if (min.isAfter(max)) {
      r.report("max", "event_time_range: max " + max + " is before min " + min, "swap them");
      return EventTimeRange.STORABLE;
    }
    return new EventTimeRange(min, max);
  }

  private static Optional<Instant> instant(YamlMap m, String key, String text) {
    try {
      Instant i = text.matches("\\d{4}-\\d{2}-\\d{2}")
          ? java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
          : java.time.OffsetDateTime.parse(text).toInstant();
      if (i.isBefore(EventTimeRange.FIRST) || i.isAfter(EventTimeRange.LAST)) {
        m.report(key, "event_time_range " + key + " '" + text + "' is outside the instants that can be stored",
            "use a time from " + EventTimeRange.FIRST + " to " + EventTimeRange.LAST);
        return Optional.empty();
      }
      return Optional.of(i);
    } catch (java.time.format.DateTimeParseException e) {
      m.report(key, "event_time_range " + key + " '" + text + "' is not a time",
          "write a UTC date like 2000-01-01 or an instant like 2000-01-01T00:00:00Z");
      return Optional.empty();
    }
  }

  private String substitute(YamlMap m, String text) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = variables.get(matcher.group(1));
      if (value == null) {
        m.report("path", "unknown variable ${" + matcher.group(1) + "} in '" + text + "'",
            "known variables: " + String.join(", ", variables.keySet().stream().sorted().toList())
                + " (set more under variables: in tidemark.yaml)");
        value = matcher.group();
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
