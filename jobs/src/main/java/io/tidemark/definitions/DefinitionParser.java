package io.tidemark.definitions;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private static final List<String> GROUP_KEYS = List.of("name", "description", "owner", "tags", "record_identifier",
      "event_time", "event_time_formats", "features", "source", "offline", "online", "ttl");
  private static final List<String> FEATURE_KEYS = List.of("name", "type", "description", "nullable");
  private static final List<String> SOURCE_KEYS = List.of("path", "format", "options", "transform");
  private static final List<String> OFFLINE_KEYS = List.of("format", "partition_by");
  private static final List<String> ONLINE_KEYS = List.of("enabled", "ttl");

  private final Path projectRoot;
  private final Map<String, String> variables;

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
            ? new FeatureDefinition(f.name(), f.type(), f.description(), false) : f)
        .toList();

    List<EventTimeFormat> formats = new ArrayList<>();
    for (String f : group.has("event_time_formats") ? group.stringList("event_time_formats")
        : List.of("iso8601", "epoch_seconds")) {
      EventTimeFormat.fromYaml(f).ifPresentOrElse(formats::add, () -> group.report("event_time_formats",
          "unknown event time format '" + f + "'", "use iso8601 and/or epoch_seconds"));
    }
    Optional<SourceDefinition> source = group.map("source").map(s -> parseSource(s, problems));
    OfflineSettings offline = group.map("offline").map(this::parseOffline)
        .orElse(new OfflineSettings(StorageFormat.DELTA, true));
    OnlineSettings online = group.map("online").map(this::parseOnline).orElse(OnlineSettings.disabled());
    Optional<Duration> ttl = duration(group, "ttl");

    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new FeatureGroup(name, description, owner, tags, recordId, eventTime, formats, features,
        source, offline, online, ttl, file, Hashing.sha256Hex(bytes)));
  }

  private List<FeatureDefinition> parseFeatures(YamlMap group, List<DefinitionProblem> problems) {
    if (!group.has("features")) {
      group.report("features", "missing 'features' in the feature group", "list the group's features (see README)");
      return List.of();
    }
    List<FeatureDefinition> features = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
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
      type.ifPresent(t -> features.add(new FeatureDefinition(name.get(), t, f.string("description").orElse(""),
          f.bool("nullable", true))));
    }
    return features;
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
    } else if (!allowed.contains(f.get().type())) {
      group.report(key, key + " '" + name + "' has type " + f.get().type().yamlName() + " but must be " + allowedText,
          "change the feature's type to " + allowedText);
    }
  }

  private SourceDefinition parseSource(YamlMap s, List<DefinitionProblem> problems) {
    s.rejectUnknownKeys(SOURCE_KEYS);
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
    Optional<Path> transform = s.string("transform").map(t -> {
      Path resolved = projectRoot.resolve(t).normalize();
      if (!Files.isRegularFile(resolved)) {
        s.report("transform", "transform file '" + t + "' does not exist (looked for " + resolved + ")",
            "create it or fix the path; paths are relative to " + projectRoot);
      }
      return resolved;
    });
    return new SourceDefinition(path, format, options, transform);
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

  private static Optional<Duration> duration(YamlMap m, String key) {
    return m.string(key).flatMap(text -> {
      if (text.equals("none")) {
        return Optional.empty();
      }
      Optional<Duration> d = Durations.parse(text);
      if (d.isEmpty() || d.get().isZero()) {
        m.report(key, "'" + key + "' is '" + text + "'", "write " + Durations.SYNTAX + ", or none");
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
