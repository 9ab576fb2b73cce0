package io.tidemark.definitions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Parses a group's {@code windows:} (the events' key and time columns, delay, emit and aggregations). */
final class WindowParser {
  private static final List<String> WINDOW_KEYS = List.of("key_column", "time_column", "delay", "emit",
      "aggregations");
  private static final List<String> AGGREGATION_KEYS = List.of("feature", "function", "column", "window");

  private WindowParser() {}

  static WindowDefinition parseWindows(YamlMap w, List<FeatureDefinition> features, String recordId,
      String eventTime, List<DefinitionProblem> problems) {
    w.rejectUnknownKeys(WINDOW_KEYS);
    String key = w.requiredString("key_column", "add key_column: <the events' column with the " + recordId + ">")
        .orElse(recordId);
    String time = w.requiredString("time_column", "add time_column: <the events' event-time column>").orElse("");
    Duration delay = w.string("delay").flatMap(d -> {
      Optional<Duration> parsed = Durations.parse(d);
      if (parsed.isEmpty()) {
        w.report("delay", "'delay' is '" + d + "'", Durations.fix(d));
      }
      return parsed;
    }).orElse(Duration.ZERO);
    WindowDefinition.Emit emit = w.string("emit").map(e -> switch (e) {
      case "changes" -> WindowDefinition.Emit.CHANGES;
      case "daily" -> WindowDefinition.Emit.DAILY;
      default -> {
        w.report("emit", "unknown emit mode '" + e + "'", "use changes (exact, default) or daily");
        yield WindowDefinition.Emit.CHANGES;
      }
    }).orElse(WindowDefinition.Emit.CHANGES);
    List<WindowDefinition.Aggregation> aggregations = new ArrayList<>();
    java.util.Set<String> mentioned = new java.util.HashSet<>();
    Map<String, FeatureDefinition> byName = new HashMap<>();
    features.forEach(f -> byName.put(f.name(), f));
    for (Node item : w.list("aggregations")) {
      YamlMap a = YamlMap.of(w.file(), "an aggregation", item, problems);
      a.rejectUnknownKeys(AGGREGATION_KEYS);
      Optional<String> feature = a.requiredString("feature", "name the feature this aggregation computes");
      feature.ifPresent(mentioned::add);
      Optional<WindowDefinition.Function> function = a.requiredString("function",
          "use count, sum, avg, min, max or count_distinct").flatMap(f -> {
            try {
              return Optional.of(WindowDefinition.Function.valueOf(f.toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
              a.report("function", "unknown function '" + f + "'", "use count, sum, avg, min, max or count_distinct");
              return Optional.empty();
            }
          });
      Optional<Duration> window = a.requiredString("window", "add window: like 7d").flatMap(t -> {
        Optional<Duration> d = Durations.parse(t).filter(x -> !x.isZero());
        if (d.isEmpty()) {
          a.report("window", "'window' is '" + t + "'", Durations.fix(t));
        }
        return d;
      });
      Optional<String> column = a.string("column");
      if (function.isEmpty() || feature.isEmpty() || window.isEmpty()) {
        continue;
      }
      if (column.isEmpty() && function.get() != WindowDefinition.Function.COUNT) {
        a.report("function", function.get().name().toLowerCase(java.util.Locale.ROOT) + " needs a column",
            "add column: <the events' column to aggregate>");
        continue;
      }
      FeatureDefinition target = byName.get(feature.get());
      if (target == null) {
        a.report("feature", "aggregation feature '" + feature.get() + "' is not one of the group's features",
            "add it to features: with type " + function.get().resultType().yamlName());
        continue;
      }
      if (target.type() != function.get().resultType() || target.isCollection()) {
        a.report("feature", "feature '" + feature.get() + "' is " + target.typeName() + " but "
            + function.get().name().toLowerCase(java.util.Locale.ROOT) + " gives "
            + function.get().resultType().yamlName(), "change the feature's type");
        continue;
      }
      aggregations.add(new WindowDefinition.Aggregation(feature.get(), function.get(), column, window.get()));
    }
    for (FeatureDefinition f : features) {
      if (!mentioned.contains(f.name()) && !f.name().equals(recordId) && !f.name().equals(eventTime)) {
        w.report("aggregations", "feature '" + f.name() + "' is not computed by any aggregation",
            "add an aggregation for it, or remove it from features:");
      }
    }
    return new WindowDefinition(key, time, delay, emit, aggregations);
  }
}
