package io.tidemark.sagemaker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.definitions.DefinitionException;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.OfflineSettings;
import io.tidemark.definitions.OnlineSettings;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.definitions.StorageFormat;
import io.tidemark.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A SageMaker Feature Store definition (a {@code DescribeFeatureGroup} response, or a {@code CreateFeatureGroup}
 * request: they share their field names) as a Tidemark definition file. Every SageMaker setting either maps onto a
 * Tidemark setting or is reported; a feature Tidemark cannot hold (an unknown {@code CollectionType}) is left out
 * and listed. List, Set and Vector collections become Tidemark's list, set and vector features.
 */
public final class SageMakerImport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static final List<String> DEFINITION_FIELDS = List.of("FeatureGroupName", "RecordIdentifierFeatureName",
      "EventTimeFeatureName", "FeatureDefinitions", "OnlineStoreConfig", "OfflineStoreConfig", "ThroughputConfig",
      "RoleArn", "Description", "Tags");
  /** DescribeFeatureGroup's fields about the resource's state rather than its definition: nothing to carry. */
  static final Set<String> STATE_FIELDS = Set.of("FeatureGroupArn", "CreationTime", "LastModifiedTime",
      "FeatureGroupStatus", "OfflineStoreStatus", "LastUpdateStatus", "FailureReason", "NextToken",
      "OnlineStoreTotalSizeBytes");
  /** SageMaker's TtlDuration units. */
  static final Map<String, ChronoUnit> TTL_UNITS = orderedUnits();

  private SageMakerImport() {}

  /**
   * @param name the Tidemark group name to use instead of the one derived from the SageMaker name
   * @param owner the owner to use instead of the {@code owner} tag
   */
  public record Options(Optional<String> name, Optional<String> owner) {
    public static Options defaults() {
      return new Options(Optional.empty(), Optional.empty());
    }
  }

  /**
   * One converted group.
   *
   * @param group the definition exactly as its file parses (file: where it goes in the definitions folder)
   * @param yaml the file's text
   * @param report every SageMaker setting that was renamed, changed or not carried, one line each
   * @param leftOut the features left out because Tidemark has no equivalent yet (also in the report)
   */
  public record Result(String sageMakerName, FeatureGroup group, String yaml, List<String> report,
      List<String> leftOut) {
    public Result {
      report = List.copyOf(report);
      leftOut = List.copyOf(leftOut);
    }
  }

  /**
   * Converts one definition.
   *
   * @param json the DescribeFeatureGroup response or CreateFeatureGroup request
   * @param source where it came from, for messages
   * @param definitionsDir where the file will go (names the result's file)
   * @throws SageMakerException listing every problem when the definition cannot become a Tidemark one
   */
  public static Result fromJson(String json, String source, Path definitionsDir, Options options) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new SageMakerException("cannot import " + source, List.of("not JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + " (pass the output of aws sagemaker describe-feature-group)"));
    }
    if (root == null || !root.isObject()) {
      throw new SageMakerException("cannot import " + source, List.of("not a JSON object (pass the output of aws "
          + "sagemaker describe-feature-group)"));
    }
    return new Importer(source, options).convert(root, definitionsDir);
  }

  /**
   * Writes the result's file, refusing to replace an existing one unless {@code force}. The file appears whole
   * (written beside it, then moved), so a reader never sees half of it.
   */
  public static Path write(Result result, boolean force) {
    Path target = result.group().file();
    if (Files.exists(target) && !force) {
      throw new IllegalStateException(target + " exists already; pass --force to replace it with the definition "
          + "imported from SageMaker group '" + result.sageMakerName() + "'");
    }
    try {
      Files.createDirectories(target.getParent());
      Path temp = target.resolveSibling("." + target.getFileName() + ".importing");
      Files.writeString(temp, result.yaml(), StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  /** Refuses results that would write the same file (two SageMaker names that map to one Tidemark name). */
  public static void checkDistinct(List<Result> results) {
    Map<String, String> byName = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Result r : results) {
      String previous = byName.putIfAbsent(r.group().name(), r.sageMakerName());
      if (previous != null) {
        problems.add("SageMaker groups '" + previous + "' and '" + r.sageMakerName() + "' both map to Tidemark group '"
            + r.group().name() + "' (import one of them with --name NAME)");
      }
    }
    if (!problems.isEmpty()) {
      throw new SageMakerException("cannot import", problems);
    }
  }

  /** The Tidemark duration of a SageMaker TtlDuration, or empty when the unit is not SageMaker's. */
  static Optional<Duration> ttl(String unit, long value) {
    return Optional.ofNullable(TTL_UNITS.get(unit)).map(u -> u.getDuration().multipliedBy(value));
  }

  private static Map<String, ChronoUnit> orderedUnits() {
    Map<String, ChronoUnit> m = new LinkedHashMap<>();
    m.put("Seconds", ChronoUnit.SECONDS);
    m.put("Minutes", ChronoUnit.MINUTES);
    m.put("Hours", ChronoUnit.HOURS);
    m.put("Days", ChronoUnit.DAYS);
    m.put("Weeks", ChronoUnit.WEEKS);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** One conversion: collects the problems (all reported at once) and the report lines. */
  private static final class Importer {
    private final String source;
    private final Options options;
    private final List<String> problems = new ArrayList<>();
    private final List<String> report = new ArrayList<>();
    private final List<String> leftOut = new ArrayList<>();
    private final Map<String, String> comments = new HashMap<>();
    private final List<String> footer = new ArrayList<>();

    Importer(String source, Options options) {
      this.source = source;
      this.options = options;
    }

    Result convert(JsonNode root, Path definitionsDir) {
      JsonObject group = new JsonObject("", root);
      group.reportUnknown(DEFINITION_FIELDS, STATE_FIELDS);
      String sageMakerName = group.requiredText("FeatureGroupName").orElse("?");
      String name = options.name().orElseGet(() -> SageMakerNames.group(sageMakerName));
      if (!SageMakerNames.isTidemarkName(name)) {
        problems.add(options.name().isPresent()
            ? "--name '" + name + "' is not a Tidemark group name (use [a-z][a-z0-9_]*, no '__')"
            : "FeatureGroupName '" + sageMakerName + "' maps to '" + name + "', which is not a Tidemark group name "
                + "(pass --name NAME)");
      } else if (!name.equals(sageMakerName)) {
        report.add("FeatureGroupName '" + sageMakerName + "': Tidemark group '" + name + "'"
            + (options.name().isPresent() ? " (--name)" : " (lower case, words joined by '_')")
            + "; the original is kept as sagemaker.name");
      }

      Map<String, String> tidemarkNames = new LinkedHashMap<>();
      List<FeatureDefinition> features = features(group, tidemarkNames);
      Map<String, String> renamed = new LinkedHashMap<>();
      tidemarkNames.forEach((sm, tm) -> {
        if (!sm.equals(tm) && !leftOut.contains(sm)) {
          renamed.put(tm, sm);
        }
      });
      if (!renamed.isEmpty()) {
        report.add("FeatureName: " + String.join(", ", renamed.entrySet().stream()
            .map(e -> e.getValue() + " -> " + e.getKey()).toList()) + " (lower case, words joined by '_'); the "
            + "originals are kept in sagemaker.feature_names");
      }
      String recordId = keyFeature(group, "RecordIdentifierFeatureName", tidemarkNames, features,
          Set.of(FeatureType.STRING, FeatureType.INTEGRAL), "String or Integral");
      String eventTimeSageMaker = group.requiredText("EventTimeFeatureName").orElse("");
      String eventTime = keyFeature(group, "EventTimeFeatureName", tidemarkNames, features,
          Set.of(FeatureType.STRING, FeatureType.FRACTIONAL), "String or Fractional (SageMaker's event-time types)");
      List<EventTimeFormat> formats = List.of(EventTimeFormat.ISO8601);
      Optional<FeatureDefinition> eventTimeFeature = features.stream().filter(f -> f.name().equals(eventTime))
          .findFirst();
      if (eventTimeFeature.isPresent()) {
        boolean epoch = eventTimeFeature.get().type() == FeatureType.FRACTIONAL;
        formats = List.of(epoch ? EventTimeFormat.EPOCH_SECONDS : EventTimeFormat.ISO8601);
        comments.put("event_time_formats", "SageMaker event time " + eventTimeSageMaker + ": "
            + (epoch ? "Fractional epoch seconds" : "String, ISO-8601"));
      }
      // a SageMaker event time is a String or a Fractional; in Tidemark it is a Timestamp read in that format
      features = features.stream().map(f -> f.name().equals(eventTime)
          ? new FeatureDefinition(f.name(), FeatureType.TIMESTAMP, f.description(), false)
          : f.name().equals(recordId) ? f.withNullable(false) : f).toList();

      String description = group.text("Description").orElse("");
      Map<String, String> tags = tags(group);
      String owner = owner(tags);
      OnlineSettings online = online(group);
      Optional<String> s3Uri = Optional.empty();
      OfflineSettings offline = new OfflineSettings(StorageFormat.DELTA, true);
      Optional<JsonObject> offlineConfig = group.object("OfflineStoreConfig");
      if (offlineConfig.isPresent()) {
        s3Uri = offlineS3Uri(offlineConfig.get());
        offline = offline(offlineConfig.get());
      } else {
        report.add("OfflineStoreConfig: none (the group has no offline store in SageMaker); Tidemark always keeps "
            + "the history, as a delta table");
      }
      group.object("ThroughputConfig").ifPresent(this::throughput);
      group.text("RoleArn").ifPresent(r -> report.add("RoleArn '" + r + "': not carried; Tidemark's jobs run with "
          + "the EMR (or EMR Serverless) role"));

      if (!problems.isEmpty()) {
        throw new SageMakerException("cannot import " + source, problems);
      }
      // kept only when export-sagemaker needs it: a name that differs, or the offline store's location
      Optional<SageMakerOrigin> origin = !name.equals(sageMakerName) || !renamed.isEmpty() || s3Uri.isPresent()
          ? Optional.of(new SageMakerOrigin(sageMakerName, renamed, s3Uri)) : Optional.empty();
      comments.put("sagemaker", "the group in SageMaker (export-sagemaker uses it; jobs ignore it)");
      Path file = definitionsDir.resolve(name + ".yaml");
      FeatureGroup draft = new FeatureGroup(name, description, owner, tags, recordId, eventTime, formats,
          io.tidemark.definitions.EventTimeRange.STORABLE, features, Optional.empty(), offline, online,
          Optional.empty(), Optional.empty(), origin, file, "");
      List<String> header = List.of("Imported from SageMaker Feature Store group '" + sageMakerName + "' ("
          + source + ") by tidemark import-sagemaker.",
          "Add a source: (or sources: and a transform:) to ingest it; see README \"Feature definitions\".");
      if (!report.isEmpty()) {
        footer.add(0, "Not carried over or changed on import (see the import report):");
        report.forEach(r -> footer.add("  " + r));
      }
      String yaml = DefinitionYaml.write(draft, comments, header, footer);
      FeatureGroup parsed = validate(name, yaml, file);
      return new Result(sageMakerName, parsed, yaml, report, leftOut);
    }

    /** Parses the text as Tidemark does: the file written is a valid definition of exactly this group. */
    private FeatureGroup validate(String name, String yaml, Path file) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("tidemark-import");
        Path temp = dir.resolve(name + ".yaml");
        Files.writeString(temp, yaml, StandardCharsets.UTF_8);
        FeatureGroup g = FeatureRegistry.loadFile(temp, dir, Map.of());
        return new FeatureGroup(g.name(), g.description(), g.owner(), g.tags(), g.recordIdentifier(), g.eventTime(),
            g.eventTimeFormats(), g.eventTimeRange(), g.features(), g.source(), g.offline(), g.online(), g.ttl(),
            g.windows(), g.sagemaker(), file, Hashing.sha256Hex(yaml.getBytes(StandardCharsets.UTF_8)));
      } catch (DefinitionException e) {
        throw new SageMakerException("cannot import " + source + ": the definition it gives is not valid in Tidemark",
            e.problems().stream().map(p -> name + ".yaml:" + p.line() + ": " + p.message()
                + (p.fix().isEmpty() ? "" : " (" + p.fix() + ")")).toList());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        deleteQuietly(dir);
      }
    }

    private List<FeatureDefinition> features(JsonObject group, Map<String, String> tidemarkNames) {
      List<FeatureDefinition> features = new ArrayList<>();
      Map<String, String> bySageMakerName = new HashMap<>();
      for (JsonObject f : group.requiredObjects("FeatureDefinitions")) {
        f.reportUnknown(List.of("FeatureName", "FeatureType", "CollectionType", "CollectionConfig"), Set.of());
        Optional<String> sageMakerName = f.requiredText("FeatureName");
        Optional<String> typeText = f.requiredText("FeatureType");
        if (sageMakerName.isEmpty() || typeText.isEmpty()) {
          continue;
        }
        String smName = sageMakerName.get();
        String name = SageMakerNames.feature(smName);
        String previous = bySageMakerName.putIfAbsent(name, smName);
        if (previous != null) {
          problems.add("FeatureDefinitions '" + previous + "' and '" + smName + "' both map to Tidemark feature '"
              + name + "' (Tidemark names are lower case; rename one in SageMaker)");
          continue;
        }
        tidemarkNames.put(smName, name);
        Optional<FeatureType> type = switch (typeText.get()) {
          case "String" -> Optional.of(FeatureType.STRING);
          case "Integral" -> Optional.of(FeatureType.INTEGRAL);
          case "Fractional" -> Optional.of(FeatureType.FRACTIONAL);
          default -> {
            problems.add(f.path("FeatureType") + " is '" + typeText.get() + "' (SageMaker's types are String, "
                + "Integral and Fractional)");
            yield Optional.empty();
          }
        };
        if (type.isEmpty()) {
          continue;
        }
        Optional<String> collectionType = f.text("CollectionType");
        Optional<FeatureCollection> collection = Optional.empty();
        if (collectionType.isPresent()) {
          Optional<Long> dimension = f.object("CollectionConfig").flatMap(c -> c.object("VectorConfig"))
              .flatMap(v -> v.whole("Dimension"));
          switch (collectionType.get()) {
            case "List" -> collection = Optional.of(FeatureCollection.list(FeatureCollection.DEFAULT_MAX_ELEMENTS));
            case "Set" -> collection = Optional.of(FeatureCollection.set(FeatureCollection.DEFAULT_MAX_ELEMENTS));
            case "Vector" -> {
              if (type.get() != FeatureType.FRACTIONAL) {
                problems.add(f.path("FeatureType") + " of Vector '" + smName + "' is '" + typeText.get()
                    + "' (a vector holds Fractional elements)");
                continue;
              }
              if (dimension.isEmpty() || dimension.get() < 1 || dimension.get() > FeatureCollection.MAX_ELEMENTS_LIMIT) {
                problems.add(f.path("CollectionConfig") + ".VectorConfig.Dimension of Vector '" + smName + "' is "
                    + dimension.map(String::valueOf).orElse("missing") + " (Tidemark's vectors have 1 to "
                    + FeatureCollection.MAX_ELEMENTS_LIMIT + " elements)");
                continue;
              }
              collection = Optional.of(FeatureCollection.vector(dimension.get().intValue()));
            }
            default -> {
              leftOut.add(smName);
              report.add("FeatureDefinitions '" + smName + "' (" + typeText.get() + " " + collectionType.get()
                  + "): left out; Tidemark's collections are List, Set and Vector");
              continue;
            }
          }
          if (collectionType.get().equals("List") || collectionType.get().equals("Set")) {
            report.add("FeatureDefinitions '" + smName + "' (" + typeText.get() + " " + collectionType.get() + "): "
                + "collection: " + collection.get().kind().yamlName() + " with max_elements "
                + FeatureCollection.DEFAULT_MAX_ELEMENTS + " (longer ones are quarantined; raise it in the file)");
          }
        }
        features.add(new FeatureDefinition(name, type.get(), "", true, List.of(), collection));
      }
      return features;
    }

    /** The Tidemark name of a record identifier or event time, checked against the features and allowed types. */
    private String keyFeature(JsonObject group, String field, Map<String, String> tidemarkNames,
        List<FeatureDefinition> features, Set<FeatureType> allowed, String allowedText) {
      Optional<String> smName = group.requiredText(field);
      if (smName.isEmpty()) {
        return "";
      }
      if (leftOut.contains(smName.get())) {
        problems.add(field + " '" + smName.get() + "' is a collection feature (a " + field.replace("FeatureName", "")
            + " is a single value)");
        return "";
      }
      String name = tidemarkNames.get(smName.get());
      Optional<FeatureDefinition> f = features.stream().filter(x -> x.name().equals(name)).findFirst();
      if (f.isEmpty()) {
        problems.add(field + " '" + smName.get() + "' is not one of the FeatureDefinitions (known: "
            + String.join(", ", tidemarkNames.keySet()) + ")");
        return "";
      }
      if (f.get().isCollection()) {
        problems.add(field + " '" + smName.get() + "' is a collection feature (a " + field.replace("FeatureName", "")
            + " is a single value)");
      } else if (!allowed.contains(f.get().type())) {
        problems.add(field + " '" + smName.get() + "' is " + f.get().type().yamlName() + "; it must be "
            + allowedText);
      }
      return name;
    }

    private Map<String, String> tags(JsonObject group) {
      Map<String, String> tags = new LinkedHashMap<>();
      for (JsonObject t : group.objects("Tags")) {
        t.reportUnknown(List.of("Key", "Value"), Set.of());
        t.requiredText("Key").ifPresent(k -> tags.put(k, t.text("Value").orElse("")));
      }
      return tags;
    }

    /** SageMaker has no owner: --owner, else the tag {@code owner} (taken out of the tags), else none. */
    private String owner(Map<String, String> tags) {
      String tag = tags.remove("owner");
      if (options.owner().isPresent()) {
        if (tag != null && !tag.equals(options.owner().get())) {
          report.add("Tags owner '" + tag + "': replaced by --owner '" + options.owner().get() + "'");
        }
        return options.owner().get();
      }
      if (tag != null) {
        comments.put("owner", "SageMaker tag 'owner'");
        return tag;
      }
      report.add("owner: SageMaker groups have none and there is no 'owner' tag; the definition has no owner (pass "
          + "--owner to set one)");
      return "";
    }

    private OnlineSettings online(JsonObject group) {
      Optional<JsonObject> config = group.object("OnlineStoreConfig");
      if (config.isEmpty()) {
        return OnlineSettings.disabled();
      }
      JsonObject o = config.get();
      o.reportUnknown(List.of("EnableOnlineStore", "TtlDuration", "SecurityConfig", "StorageType"), Set.of());
      boolean enabled = o.bool("EnableOnlineStore").orElse(false);
      Optional<Duration> ttl = o.object("TtlDuration").flatMap(t -> {
        t.reportUnknown(List.of("Unit", "Value"), Set.of());
        Optional<String> unit = t.requiredText("Unit");
        Optional<Long> value = t.whole("Value");
        if (value.isEmpty()) {
          problems.add(t.path("Value") + " is missing or not a whole number");
        }
        if (unit.isEmpty() || value.isEmpty()) {
          return Optional.empty();
        }
        Optional<Duration> d = ttl(unit.get(), value.get());
        if (d.isEmpty()) {
          problems.add(t.path("Unit") + " is '" + unit.get() + "' (SageMaker's units are "
              + String.join(", ", TTL_UNITS.keySet()) + ")");
        } else if (value.get() < 1 || d.get().compareTo(Durations.MAX) > 0) {
          problems.add(t.path("Value") + " is " + value.get() + " " + unit.get() + "; Tidemark takes 1 second to "
              + Durations.MAX.toDays() + " days");
          return Optional.empty();
        } else {
          comments.put("online.ttl", "SageMaker TtlDuration " + value.get() + " " + unit.get());
        }
        return d;
      });
      o.object("SecurityConfig").ifPresent(s -> {
        s.reportUnknown(List.of("KmsKeyId"), Set.of());
        s.text("KmsKeyId").ifPresent(k -> report.add(s.path("KmsKeyId") + " '" + k + "': not carried per group; "
            + "Tidemark encrypts its online tables with online.kms_key in tidemark.yaml"));
      });
      o.text("StorageType").filter(t -> !t.equals("Standard")).ifPresent(t -> report.add(o.path("StorageType")
          + " '" + t + "': not carried; Tidemark's online store is DynamoDB (Standard)"));
      return new OnlineSettings(enabled, ttl);
    }

    private Optional<String> offlineS3Uri(JsonObject o) {
      Optional<JsonObject> s3 = o.object("S3StorageConfig");
      if (s3.isEmpty()) {
        problems.add(o.path("S3StorageConfig") + " is missing (SageMaker requires it in an OfflineStoreConfig)");
        return Optional.empty();
      }
      s3.get().reportUnknown(List.of("S3Uri", "KmsKeyId"), Set.of("ResolvedOutputS3Uri"));
      s3.get().text("KmsKeyId").ifPresent(k -> report.add(s3.get().path("KmsKeyId") + " '" + k + "': not carried "
          + "per group; Tidemark encrypts what it writes to S3 with s3.kms_key in tidemark.yaml"));
      Optional<String> uri = s3.get().requiredText("S3Uri");
      uri.ifPresent(u -> report.add(s3.get().path("S3Uri") + " '" + u + "': kept as sagemaker.offline_s3_uri for "
          + "export-sagemaker; Tidemark keeps its history under offline.root (tidemark.yaml), and the SageMaker "
          + "history is not copied"));
      return uri;
    }

    private OfflineSettings offline(JsonObject o) {
      o.reportUnknown(List.of("S3StorageConfig", "TableFormat", "DataCatalogConfig", "DisableGlueTableCreation"),
          Set.of());
      o.object("DataCatalogConfig").ifPresent(c -> {
        c.reportUnknown(List.of("TableName", "Catalog", "Database"), Set.of());
        report.add(o.path("DataCatalogConfig") + " " + c.text("Database").orElse("?") + "."
            + c.text("TableName").orElse("?") + ": not carried; Tidemark registers the table as "
            + "<catalog.database>.<group> (catalog.database in tidemark.yaml)");
      });
      o.bool("DisableGlueTableCreation").filter(b -> b).ifPresent(b -> report.add(o.path("DisableGlueTableCreation")
          + " true: not carried; Tidemark always registers its offline table in the catalog"));
      String format = o.text("TableFormat").orElse("Glue");
      switch (format) {
        case "Glue" -> {
          comments.put("offline.format", "SageMaker TableFormat Glue: Parquet files registered in Glue");
          return new OfflineSettings(StorageFormat.PARQUET, true);
        }
        case "Iceberg" -> {
          comments.put("offline.format", "SageMaker TableFormat Iceberg (Tidemark has delta instead)");
          report.add(o.path("TableFormat") + " 'Iceberg': Tidemark has no Iceberg tables; the group uses delta, "
              + "Tidemark's transactional table format");
          return new OfflineSettings(StorageFormat.DELTA, true);
        }
        default -> {
          problems.add(o.path("TableFormat") + " is '" + format + "' (SageMaker's formats are Glue and Iceberg)");
          return new OfflineSettings(StorageFormat.DELTA, true);
        }
      }
    }

    private void throughput(JsonObject t) {
      t.reportUnknown(List.of("ThroughputMode", "ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits"),
          Set.of());
      // OnDemand is what Tidemark's DynamoDB tables are (pay per request): nothing to report
      t.text("ThroughputMode").filter(m -> !m.equals("OnDemand")).ifPresent(m -> report.add(t.path("ThroughputMode")
          + " '" + m + "': not carried; Tidemark's online tables are on demand, with online.write_capacity in "
          + "tidemark.yaml to limit the write rate"));
    }

    private static void deleteQuietly(Path dir) {
      if (dir == null) {
        return;
      }
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // a temp folder left behind is harmless
      }
    }

    /** A JSON object with its path in the document, reading fields and reporting the unknown ones. */
    private final class JsonObject {
      private final String path;
      private final JsonNode node;

      JsonObject(String path, JsonNode node) {
        this.path = path;
        this.node = node;
      }

      String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
      }

      /** Reports fields that are neither {@code known} nor {@code ignored} (state, not definition): not carried. */
      void reportUnknown(List<String> known, Set<String> ignored) {
        Set<String> unknown = new TreeSet<>();
        node.fieldNames().forEachRemaining(n -> {
          if (!known.contains(n) && !ignored.contains(n)) {
            unknown.add(n);
          }
        });
        unknown.forEach(n -> report.add(path(n) + ": a field import-sagemaker does not know; not carried"));
      }

      /** The field's value when present and of the expected kind; a value of another kind is a problem. */
      private Optional<JsonNode> value(String field, java.util.function.Predicate<JsonNode> kind, String expected) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
          return Optional.empty();
        }
        if (!kind.test(v)) {
          problems.add(path(field) + " must be " + expected + ", not " + v);
          return Optional.empty();
        }
        return Optional.of(v);
      }

      Optional<String> text(String field) {
        return value(field, JsonNode::isTextual, "a string").map(JsonNode::textValue);
      }

      Optional<String> requiredText(String field) {
        Optional<String> v = text(field);
        if (v.isEmpty() && (node.get(field) == null || node.get(field).isNull())) {
          problems.add(path(field) + " is missing");
        }
        return v.filter(s -> !s.isBlank());
      }

      Optional<Boolean> bool(String field) {
        return value(field, JsonNode::isBoolean, "true or false").map(JsonNode::booleanValue);
      }

      Optional<Long> whole(String field) {
        JsonNode v = node.get(field);
        return v != null && v.canConvertToExactIntegral() && v.canConvertToLong() ? Optional.of(v.longValue())
            : Optional.empty();
      }

      Optional<JsonObject> object(String field) {
        return value(field, JsonNode::isObject, "an object").map(v -> new JsonObject(path(field), v));
      }

      List<JsonObject> objects(String field) {
        Optional<JsonNode> v = value(field, JsonNode::isArray, "a list");
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < v.map(JsonNode::size).orElse(0); i++) {
          JsonNode item = v.get().get(i);
          if (item.isObject()) {
            out.add(new JsonObject(path(field) + "[" + i + "]", item));
          } else {
            problems.add(path(field) + "[" + i + "] must be an object, not " + item);
          }
        }
        return out;
      }

      List<JsonObject> requiredObjects(String field) {
        if (node.get(field) == null) {
          problems.add(path(field) + " is missing");
        }
        return objects(field);
      }
    }
  }
}
