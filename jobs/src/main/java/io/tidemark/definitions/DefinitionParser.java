package io.tidemark.definitions;

import io.tidemark.util.Hashing;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Parses one feature-group YAML file into a {@link FeatureGroup}, collecting every problem with its line: the group's
 * own keys and cross-checks here; features and rules in {@link FeatureParser}, sources in {@link SourceParser},
 * windows in {@link WindowParser}.
 */
final class DefinitionParser {
  static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]*");

  private static final List<String> GROUP_KEYS = List.of("name", "description", "owner", "tags", "record_identifier",
      "event_time", "event_time_formats", "event_time_range", "features", "source", "sources", "transform", "windows", "offline",
      "online", "ttl", "sagemaker");
  private static final List<String> OFFLINE_KEYS = List.of("format", "partition_by");
  private static final List<String> ONLINE_KEYS = List.of("enabled", "ttl");
  private static final List<String> SAGEMAKER_KEYS = List.of("name", "feature_names", "offline_s3_uri");

  private final SourceParser sources;

  /**
   * @param projectRoot folder that relative transform paths ({@code sql/x.sql}) are resolved against
   * @param variables values for {@code ${name}} in source paths (e.g. {@code raw_root})
   */
  DefinitionParser(Path projectRoot, Map<String, String> variables) {
    this.sources = new SourceParser(projectRoot, Map.copyOf(variables));
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

    FeatureParser featureParser = new FeatureParser();
    List<FeatureDefinition> features = featureParser.parseFeatures(group, problems);
    String recordId = group.requiredString("record_identifier",
        "add record_identifier: <the feature that identifies a record>").orElse("");
    String eventTime = group.requiredString("event_time",
        "add event_time: <the Timestamp feature saying when the values became true>").orElse("");
    FeatureParser.checkKeyFeature(group, features, "record_identifier", recordId,
        Set.of(FeatureType.STRING, FeatureType.INTEGRAL), "String or Integral");
    FeatureParser.checkKeyFeature(group, features, "event_time", eventTime, Set.of(FeatureType.TIMESTAMP), "Timestamp");
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
    EventTimeRange range = group.map("event_time_range").map(sources::parseRange).orElse(EventTimeRange.STORABLE);
    Optional<SourceDefinition> source = sources.parseSources(group, problems);
    List<FeatureDefinition> finalFeatures = features;
    Optional<WindowDefinition> windows = group.map("windows").map(w -> WindowParser.parseWindows(w, finalFeatures, recordId,
        eventTime, problems));
    if (windows.isPresent() && source.isEmpty()) {
      group.report("windows", "window aggregations need the events they aggregate", "add a source: with the events");
    }
    OfflineSettings offline = group.map("offline").map(this::parseOffline)
        .orElse(new OfflineSettings(StorageFormat.DELTA, true));
    OnlineSettings online = group.map("online").map(this::parseOnline).orElse(OnlineSettings.disabled());
    if (online.enabled()) {
      // online items carry these attributes themselves (see ItemSchema); a feature may only be the event time
      for (String reserved : ReservedNames.ONLINE_ATTRIBUTES) {
        if (ReservedNames.OFFLINE_COLUMNS.contains(reserved)) {
          continue; // reported for every group already
        }
        if (features.stream().anyMatch(f -> f.name().equals(reserved)) && !reserved.equals(eventTime)) {
          problems.add(new DefinitionProblem(file, featureParser.lineOf(reserved, group.lineOf("online")),
              "feature '" + reserved + "' of an online group has the name of an attribute Tidemark sets on every "
                  + "online item (" + String.join(", ", ReservedNames.ONLINE_ATTRIBUTES) + ")",
              reserved.equals(ReservedNames.EVENT_TIME)
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

  static Optional<Duration> duration(YamlMap m, String key) {
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

  static boolean checkIdentifier(YamlMap m, String key, String value, String what) {
    if (!IDENTIFIER.matcher(value).matches() || value.contains("__")) {
      m.report(key, what + " '" + value + "' is not a simple identifier",
          "use lower-case letters, digits and single underscores, starting with a letter ([a-z][a-z0-9_]*)");
      return false;
    }
    return true;
  }

}
