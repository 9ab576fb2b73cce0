package io.tidemark.definitions;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tidemark.util.Hashing;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Parses one feature-group YAML file into a {@link FeatureGroup}, collecting every problem with its line. */
final class DefinitionParser {
  static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]*");
  static final Set<String> RESERVED = Set.of("write_time", "api_invocation_time", "is_deleted", "event_date");
  /** Attributes of every online item; {@code write_time} is reserved everywhere already. */
  static final List<String> ONLINE_RESERVED = List.of("event_time", "expires_at");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private static final List<String> GROUP_KEYS = List.of("name", "description", "owner", "tags", "record_identifier",
      "event_time", "event_time_formats", "event_time_range", "features", "source", "sources", "transform", "windows", "offline",
      "online", "ttl", "sagemaker");
  private static final List<String> FEATURE_KEYS = List.of("name", "type", "description", "nullable", "rules",
      "collection", "dimension", "max_elements");
  private static final List<String> SOURCE_KEYS = List.of("path", "format", "options", "transform",
      "date_partition_column");
  private static final List<String> NAMED_SOURCE_KEYS = List.of("path", "format", "options", "date_partition_column");
  private static final List<String> RULE_KEYS = List.of("not_null", "min", "max", "allowed_values", "regex",
      "max_length", "level");
  private static final List<String> WINDOW_KEYS = List.of("key_column", "time_column", "delay", "emit",
      "aggregations");
  private static final List<String> AGGREGATION_KEYS = List.of("feature", "function", "column", "window");
  private static final List<String> OFFLINE_KEYS = List.of("format", "partition_by");
  private static final List<String> ONLINE_KEYS = List.of("enabled", "ttl");
  private static final List<String> SAGEMAKER_KEYS = List.of("name", "feature_names", "offline_s3_uri");

  private final Path projectRoot;
  private final Map<String, String> variables;
  /** Line of each feature's name in the file being parsed. */
  private final Map<String, Integer> featureLines = new HashMap<>();

  /**
   * @param projectRoot folder that relative transform paths ({@code sql/x.sql}) are resolved against
   * @param variables values for {@code ${name}} in source paths (e.g. {@code raw_root})
   */
  DefinitionParser(Path projectRoot, Map<String, String> variables) {
    this.projectRoot = projectRoot;
    this.variables = Map.copyOf(variables);
  }

  Optional<FeatureGroup> parse(Path file, List<DefinitionProblem> problems) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      problems.add(new DefinitionProblem(file, 1, "cannot read the file: " + e.getMessage(), ""));
      return Optional.empty();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      problems.add(new DefinitionProblem(file, line, "not valid YAML: " + e.getProblem(), "fix the YAML syntax"));
      return Optional.empty();
    }
    if (root == null) {
      problems.add(new DefinitionProblem(file, 1, "the file is empty", "define a feature group (see README)"));
      return Optional.empty();
    }
    int before = problems.size();
    YamlMap group = YamlMap.of(file, "the feature group", root, problems);
    group.rejectUnknownKeys(GROUP_KEYS);

    String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    String name = group.requiredString("name", "add name: " + stem).orElse(stem);
    checkIdentifier(group, "name", name, "group name");
    if (!name.equals(stem)) {
      group.report("name", "group '" + name + "' is defined in " + file.getFileName(),
          "rename the file to " + name + ".yaml or the group to " + stem);
    }
    String description = group.string("description").orElse("");
    String owner = group.string("owner").orElse("");
    Map<String, String> tags = group.stringMap("tags");

    List<FeatureDefinition> features = parseFeatures(group, problems);
    String recordId = group.requiredString("record_identifier",
        "add record_identifier: <the feature that identifies a record>").orElse("");
    String eventTime = group.requiredString("event_time",
        "add event_time: <the Timestamp feature saying when the values became true>").orElse("");
    checkKeyFeature(group, features, "record_identifier", recordId,
        Set.of(FeatureType.STRING, FeatureType.INTEGRAL), "String or Integral");
    checkKeyFeature(group, features, "event_time", eventTime, Set.of(FeatureType.TIMESTAMP), "Timestamp");
    if (!recordId.isEmpty() && recordId.equals(eventTime)) {
      group.report("event_time", "the record identifier and the event time are the same feature '" + recordId + "'",
          "use two different features");
    }
    features = features.stream()
        .map(f -> f.name().equals(recordId) || f.name().equals(eventTime)
            ? f.withNullable(false) : f)
        .toList();

    List<EventTimeFormat> formats = new ArrayList<>();
    for (String f : group.has("event_time_formats") ? group.stringList("event_time_formats")
        : List.of("iso8601", "epoch_seconds")) {
      EventTimeFormat.fromYaml(f).ifPresentOrElse(formats::add, () -> group.report("event_time_formats",
          "unknown event time format '" + f + "'", "use iso8601, and epoch_seconds or epoch_millis"));
    }
    if (formats.contains(EventTimeFormat.EPOCH_SECONDS) && formats.contains(EventTimeFormat.EPOCH_MILLIS)) {
      group.report("event_time_formats", "event_time_formats has both epoch_seconds and epoch_millis, so a number "
          + "like 1714564800000 could be either", "keep the one unit your data uses");
    }
    EventTimeRange range = group.map("event_time_range").map(this::parseRange).orElse(EventTimeRange.STORABLE);
    Optional<SourceDefinition> source = parseSources(group, problems);
    List<FeatureDefinition> finalFeatures = features;
    Optional<WindowDefinition> windows = group.map("windows").map(w -> parseWindows(w, finalFeatures, recordId,
        eventTime, problems));
    if (windows.isPresent() && source.isEmpty()) {
      group.report("windows", "window aggregations need the events they aggregate", "add a source: with the events");
    }
    OfflineSettings offline = group.map("offline").map(this::parseOffline)
        .orElse(new OfflineSettings(StorageFormat.DELTA, true));
    OnlineSettings online = group.map("online").map(this::parseOnline).orElse(OnlineSettings.disabled());
    if (online.enabled()) {
      // online items carry these attributes themselves (see ItemSchema); a feature may only be the event time
      for (String reserved : ONLINE_RESERVED) {
        if (features.stream().anyMatch(f -> f.name().equals(reserved)) && !reserved.equals(eventTime)) {
          problems.add(new DefinitionProblem(file, featureLines.getOrDefault(reserved, group.lineOf("online")),
              "feature '" + reserved + "' of an online group has the name of an attribute Tidemark sets on every "
                  + "online item (event_time, write_time, expires_at)", reserved.equals("event_time")
                  ? "rename the feature, or make it the group's event time" : "rename the feature"));
        }
      }
    }
    Optional<Duration> ttl = duration(group, "ttl");
    Optional<SageMakerOrigin> sagemaker = group.map("sagemaker").map(s -> parseSageMaker(s, name, finalFeatures));

    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new FeatureGroup(name, description, owner, tags, recordId, eventTime, formats, range, features,
        source, offline, online, ttl, windows, sagemaker, file, Hashing.sha256Hex(bytes)));
  }

  private List<FeatureDefinition> parseFeatures(YamlMap group, List<DefinitionProblem> problems) {
    if (!group.has("features")) {
      group.report("features", "missing 'features' in the feature group", "list the group's features (see README)");
      return List.of();
    }
    List<FeatureDefinition> features = new ArrayList<>();
    Map<String, Integer> seen = featureLines;
    seen.clear();
    for (Node item : group.list("features")) {
      YamlMap f = YamlMap.of(group.file(), "a feature", item, problems);
      f.rejectUnknownKeys(FEATURE_KEYS);
      Optional<String> name = f.requiredString("name", "give the feature a name");
      Optional<String> typeText = f.requiredString("type", "add type: one of " + FeatureType.allowedNames());
      if (name.isEmpty()) {
        continue;
      }
      if (!checkIdentifier(f, "name", name.get(), "feature name")) {
        continue;
      }
      if (RESERVED.contains(name.get())) {
        f.report("name", "'" + name.get() + "' is reserved for Tidemark's metadata columns",
            "rename the feature; reserved: " + String.join(", ", RESERVED.stream().sorted().toList()));
      }
      Integer firstLine = seen.putIfAbsent(name.get(), f.lineOf("name"));
      if (firstLine != null) {
        f.report("name", "duplicate feature '" + name.get() + "'", "it is already defined on line " + firstLine);
      }
      Optional<FeatureType> type = typeText.flatMap(t -> {
        Optional<FeatureType> parsed = FeatureType.fromYaml(t);
        if (parsed.isEmpty()) {
          f.report("type", "unknown type '" + t + "' for feature '" + name.get() + "'",
              "use one of " + FeatureType.allowedNames());
        }
        return parsed;
      });
      Optional<FeatureCollection> collection = parseCollection(f, name.get(), type);
      type.ifPresent(t -> features.add(new FeatureDefinition(name.get(), t, f.string("description").orElse(""),
          f.bool("nullable", true), collection.isPresent() ? collectionRules(f, name.get(), problems)
              : parseRules(f, name.get(), t, problems), collection)));
    }
    return features;
  }

  /**
   * {@code collection: list | set | vector}, with {@code dimension: N} (vectors, required) or
   * {@code max_elements: N} (lists and sets, default {@link FeatureCollection#DEFAULT_MAX_ELEMENTS}).
   */
  private static Optional<FeatureCollection> parseCollection(YamlMap f, String name, Optional<FeatureType> type) {
    Optional<String> text = f.string("collection");
    if (text.isEmpty()) {
      for (String key : List.of("dimension", "max_elements")) {
        if (f.has(key)) {
          f.report(key, "'" + key + "' of feature '" + name + "' applies to collection features only",
              key.equals("dimension") ? "add collection: vector (type Fractional), or remove dimension"
                  : "add collection: list or set, or remove max_elements");
        }
      }
      return Optional.empty();
    }
    Optional<FeatureCollection.Kind> kind = FeatureCollection.Kind.fromYaml(text.get());
    if (kind.isEmpty()) {
      f.report("collection", "unknown collection '" + text.get() + "' for feature '" + name + "'",
          "use one of " + FeatureCollection.Kind.allowedNames());
      return Optional.empty();
    }
    if (type.isEmpty()) {
      return Optional.empty();
    }
    FeatureType t = type.get();
    if (kind.get() == FeatureCollection.Kind.VECTOR) {
      if (t != FeatureType.FRACTIONAL) {
        f.report("type", "a vector holds Fractional elements, feature '" + name + "' has type " + t.yamlName(),
            "write type: Fractional, or use collection: list");
        return Optional.empty();
      }
      if (f.has("max_elements")) {
        f.report("max_elements", "a vector has exactly 'dimension' elements, max_elements does not apply",
            "remove max_elements from feature '" + name + "'");
      }
      if (!f.has("dimension")) {
        f.report("collection", "vector feature '" + name + "' has no dimension",
            "add dimension: <the number of elements, 1.." + FeatureCollection.MAX_ELEMENTS_LIMIT + ">");
        return Optional.empty();
      }
      return count(f, "dimension", name, 1).map(FeatureCollection::vector);
    }
    if (t != FeatureType.STRING && t != FeatureType.INTEGRAL && t != FeatureType.FRACTIONAL) {
      f.report("type", "a " + kind.get().yamlName() + " holds String, Integral or Fractional elements, feature '"
          + name + "' has type " + t.yamlName(), "change the element type, or make the feature a single value");
      return Optional.empty();
    }
    if (f.has("dimension")) {
      f.report("dimension", "dimension applies to vectors, feature '" + name + "' is a " + kind.get().yamlName(),
          "remove dimension, or use collection: vector (type Fractional)");
    }
    int max = f.has("max_elements") ? count(f, "max_elements", name, 0).orElse(FeatureCollection.DEFAULT_MAX_ELEMENTS)
        : FeatureCollection.DEFAULT_MAX_ELEMENTS;
    return Optional.of(new FeatureCollection(kind.get(), 0, max));
  }

  /** A whole number from {@code min} to {@link FeatureCollection#MAX_ELEMENTS_LIMIT}. */
  private static Optional<Integer> count(YamlMap f, String key, String name, int min) {
    String text = f.string(key).orElse("").trim();
    if (text.matches("\\d{1,9}")) {
      int n = Integer.parseInt(text);
      if (n >= min && n <= FeatureCollection.MAX_ELEMENTS_LIMIT) {
        return Optional.of(n);
      }
    }
    f.report(key, key + " of feature '" + name + "' is '" + text + "'",
        "write a whole number from " + min + " to " + FeatureCollection.MAX_ELEMENTS_LIMIT);
    return Optional.empty();
  }

  /** A collection feature takes only not_null: the other rules check single values. */
  private static List<ValidationRule> collectionRules(YamlMap feature, String name, List<DefinitionProblem> problems) {
    List<ValidationRule> rules = new ArrayList<>();
    for (Node item : feature.list("rules")) {
      YamlMap r = YamlMap.of(feature.file(), "a rule of feature '" + name + "'", item, problems);
      r.rejectUnknownKeys(RULE_KEYS);
      List<String> kinds = RULE_KEYS.stream().filter(k -> !k.equals("level") && r.has(k)).toList();
      if (!kinds.equals(List.of("not_null"))) {
        r.report(kinds.isEmpty() ? "level" : kinds.get(0), "collection feature '" + name + "' takes only the "
            + "not_null rule, found " + kinds, "remove the rule (element checks: the type, and max_elements)");
        continue;
      }
      ValidationRule.Level level = "warn".equals(r.string("level").orElse("error")) ? ValidationRule.Level.WARN
          : ValidationRule.Level.ERROR;
      if (r.bool("not_null", true)) {
        rules.add(new ValidationRule(name, ValidationRule.Kind.NOT_NULL, Optional.empty(), Optional.empty(),
            List.of(), Optional.empty(), Optional.empty(), level));
      }
    }
    return rules;
  }

  private static void checkKeyFeature(YamlMap group, List<FeatureDefinition> features, String key, String name,
      Set<FeatureType> allowed, String allowedText) {
    if (name.isEmpty()) {
      return;
    }
    Optional<FeatureDefinition> f = features.stream().filter(x -> x.name().equals(name)).findFirst();
    if (f.isEmpty()) {
      group.report(key, key + " '" + name + "' is not one of the group's features",
          "add a feature named " + name + " or name an existing one");
    } else if (f.get().isCollection()) {
      group.report(key, key + " '" + name + "' is a " + f.get().typeName() + " but must be a single "
          + allowedText, "remove collection: from feature " + name);
    } else if (!allowed.contains(f.get().type())) {
      group.report(key, key + " '" + name + "' has type " + f.get().type().yamlName() + " but must be " + allowedText,
          "change the feature's type to " + allowedText);
    }
  }

  private Optional<SourceDefinition> parseSources(YamlMap group, List<DefinitionProblem> problems) {
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
      if (!IDENTIFIER.matcher(inputName).matches()) {
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

  private static List<ValidationRule> parseRules(YamlMap feature, String name, FeatureType type,
      List<DefinitionProblem> problems) {
    List<ValidationRule> rules = new ArrayList<>();
    for (Node item : feature.list("rules")) {
      YamlMap r = YamlMap.of(feature.file(), "a rule of feature '" + name + "'", item, problems);
      r.rejectUnknownKeys(RULE_KEYS);
      ValidationRule.Level level = r.string("level").map(l -> switch (l) {
        case "error" -> ValidationRule.Level.ERROR;
        case "warn" -> ValidationRule.Level.WARN;
        default -> {
          r.report("level", "unknown rule level '" + l + "'", "use error (quarantine the row) or warn (keep and count)");
          yield ValidationRule.Level.ERROR;
        }
      }).orElse(ValidationRule.Level.ERROR);
      List<String> kinds = RULE_KEYS.stream().filter(k -> !k.equals("level") && r.has(k)).toList();
      boolean range = kinds.stream().allMatch(k -> k.equals("min") || k.equals("max"));
      if (kinds.isEmpty() || (kinds.size() > 1 && !range)) {
        r.report(kinds.isEmpty() ? "level" : kinds.get(1), "a rule must have exactly one check (min and max may go "
            + "together), found " + (kinds.isEmpty() ? "none" : kinds), "write one check per list item");
        continue;
      }
      boolean numeric = type == FeatureType.INTEGRAL || type == FeatureType.FRACTIONAL;
      switch (kinds.get(0)) {
        case "not_null" -> {
          if (r.bool("not_null", true)) {
            rules.add(new ValidationRule(name, ValidationRule.Kind.NOT_NULL, Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty(), level));
          }
        }
        case "min", "max" -> {
          if (!numeric) {
            r.report(kinds.get(0), "min/max apply to Integral and Fractional features, not " + type.yamlName(),
                "remove the rule or change the type");
            continue;
          }
          Optional<Double> min = number(r, "min");
          Optional<Double> max = number(r, "max");
          if (min.isPresent() && max.isPresent() && min.get() > max.get()) {
            r.report("max", "max " + max.get() + " is below min " + min.get(), "swap them");
          }
          rules.add(new ValidationRule(name, ValidationRule.Kind.RANGE, min, max, List.of(), Optional.empty(),
              Optional.empty(), level));
        }
        case "allowed_values" -> {
          if (type != FeatureType.STRING && type != FeatureType.INTEGRAL) {
            r.report("allowed_values", "allowed_values apply to String and Integral features, not " + type.yamlName(),
                "use min/max for numbers");
            continue;
          }
          List<String> allowed = r.stringList("allowed_values");
          if (allowed.isEmpty()) {
            r.report("allowed_values", "allowed_values of feature '" + name + "' is empty", "list the values a row "
                + "may have, e.g. allowed_values: [a, b]");
            continue;
          }
          if (type == FeatureType.INTEGRAL) {
            List<String> bad = allowed.stream().filter(v -> !v.trim().matches("[+-]?\\d{1,19}") || !fitsLong(v.trim()))
                .toList();
            if (!bad.isEmpty()) {
              r.report("allowed_values", "allowed_values of Integral feature '" + name + "' must be whole numbers; "
                  + "not: " + String.join(", ", bad.stream().map(v -> "'" + v + "'").toList()),
                  "list 64-bit integers like [1, 2, 3], or change the type to String");
              continue;
            }
            // compared with the value as text: 007 and +7 must be written 7
            allowed = allowed.stream().map(v -> Long.toString(Long.parseLong(v.trim()))).toList();
          }
          rules.add(new ValidationRule(name, ValidationRule.Kind.ALLOWED_VALUES, Optional.empty(), Optional.empty(),
              allowed, Optional.empty(), Optional.empty(), level));
        }
        case "regex", "max_length" -> {
          if (type != FeatureType.STRING) {
            r.report(kinds.get(0), kinds.get(0) + " applies to String features, not " + type.yamlName(),
                "remove the rule or change the type");
            continue;
          }
          if (kinds.get(0).equals("regex")) {
            String regex = r.string("regex").orElse("");
            try {
              java.util.regex.Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
              r.report("regex", "the regex does not compile: " + e.getDescription(), "fix the regular expression");
              continue;
            }
            rules.add(new ValidationRule(name, ValidationRule.Kind.REGEX, Optional.empty(), Optional.empty(),
                List.of(), Optional.of(regex), Optional.empty(), level));
          } else {
            String text = r.string("max_length").orElse("");
            if (!text.trim().matches("\\d{1,9}")) {
              r.report("max_length", "max_length of feature '" + name + "' is '" + text + "'",
                  "write a whole number >= 0 (characters)");
              continue;
            }
            rules.add(new ValidationRule(name, ValidationRule.Kind.MAX_LENGTH, Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.of(Integer.parseInt(text.trim())), level));
          }
        }
        default -> throw new IllegalStateException(kinds.get(0));
      }
    }
    return rules;
  }

  private static boolean fitsLong(String text) {
    try {
      Long.parseLong(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Optional<Double> number(YamlMap m, String key) {
    return m.string(key).flatMap(text -> {
      try {
        return Optional.of(Double.parseDouble(text));
      } catch (NumberFormatException e) {
        m.report(key, "'" + key + "' must be a number, not '" + text + "'", "");
        return Optional.empty();
      }
    });
  }

  private static WindowDefinition parseWindows(YamlMap w, List<FeatureDefinition> features, String recordId,
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

  /** {@code event_time_range: {min: 2000-01-01, max: 2100-01-01T00:00:00Z}}: instants or UTC dates, inclusive. */
  private EventTimeRange parseRange(YamlMap r) {
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

  private OfflineSettings parseOffline(YamlMap o) {
    o.rejectUnknownKeys(OFFLINE_KEYS);
    StorageFormat format = o.string("format").flatMap(f -> {
      Optional<StorageFormat> parsed = StorageFormat.parse(f);
      if (parsed.isEmpty()) {
        o.report("format", "unknown offline format '" + f + "'", "use delta or parquet");
      }
      return parsed;
    }).orElse(StorageFormat.DELTA);
    boolean byDate = o.string("partition_by").map(p -> switch (p) {
      case "event_date" -> true;
      case "none" -> false;
      default -> {
        o.report("partition_by", "unknown partitioning '" + p + "'", "use event_date or none");
        yield true;
      }
    }).orElse(true);
    return new OfflineSettings(format, byDate);
  }

  private OnlineSettings parseOnline(YamlMap o) {
    o.rejectUnknownKeys(ONLINE_KEYS);
    return new OnlineSettings(o.bool("enabled", false), duration(o, "ttl"));
  }

  /** {@code sagemaker: {name: Customer-Profiles, feature_names: {customer_id: CustomerId}, offline_s3_uri: s3://...}} */
  private static SageMakerOrigin parseSageMaker(YamlMap s, String groupName, List<FeatureDefinition> features) {
    s.rejectUnknownKeys(SAGEMAKER_KEYS);
    String sageMakerName = s.string("name").orElse(groupName);
    checkSageMakerName(s, "name", sageMakerName, "group name");
    Map<String, String> featureNames = s.stringMap("feature_names");
    Set<String> known = new java.util.HashSet<>(features.stream().map(FeatureDefinition::name).toList());
    featureNames.forEach((feature, sageMakerFeature) -> {
      if (!known.contains(feature)) {
        s.report("feature_names", "sagemaker.feature_names names '" + feature + "', which is not one of the group's "
            + "features", "map the Tidemark feature names (the keys) to SageMaker names (the values)");
      }
      checkSageMakerName(s, "feature_names", sageMakerFeature, "feature name");
    });
    Optional<String> s3Uri = s.string("offline_s3_uri");
    s3Uri.filter(u -> !u.startsWith("s3://")).ifPresent(u -> s.report("offline_s3_uri",
        "sagemaker.offline_s3_uri '" + u + "' is not an s3:// URI", "write it as SageMaker does: s3://bucket/prefix"));
    return new SageMakerOrigin(sageMakerName, featureNames, s3Uri);
  }

  private static void checkSageMakerName(YamlMap m, String key, String value, String what) {
    if (!SageMakerOrigin.NAME.matcher(value).matches() || value.length() > 64) {
      m.report(key, "SageMaker " + what + " '" + value + "' is not one SageMaker accepts",
          "use letters, digits, '-' and '_', starting and ending with a letter or digit, at most 64 characters");
    }
  }

  private static Optional<Duration> duration(YamlMap m, String key) {
    return m.string(key).flatMap(text -> {
      if (text.equals("none")) {
        return Optional.empty();
      }
      Optional<Duration> d = Durations.parse(text);
      if (d.isEmpty() || d.get().isZero()) {
        m.report(key, "'" + key + "' is '" + text + "'", Durations.fix(text) + ", or none");
      }
      return d;
    });
  }

  private static boolean checkIdentifier(YamlMap m, String key, String value, String what) {
    if (!IDENTIFIER.matcher(value).matches() || value.contains("__")) {
      m.report(key, what + " '" + value + "' is not a simple identifier",
          "use lower-case letters, digits and single underscores, starting with a letter ([a-z][a-z0-9_]*)");
      return false;
    }
    return true;
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
