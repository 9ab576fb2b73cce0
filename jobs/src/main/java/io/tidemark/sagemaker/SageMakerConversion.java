package io.tidemark.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.definitions.DefinitionException;
import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One SageMaker definition's conversion ({@link SageMakerImport#fromJson}): the group's names and keys here, its
 * features in {@link SageMakerFeatures}, its other settings in {@link SageMakerStoreSettings}; every problem found is
 * reported at once. The file written is parsed back as Tidemark does before it is returned.
 */
final class SageMakerConversion {
  private final String source;
  private final SageMakerImport.Options options;
  private final ConversionFindings findings = new ConversionFindings();
  private final List<String> problems = findings.problems;
  private final List<String> report = findings.report;
  private final List<String> leftOut = findings.leftOut;
  private final Map<String, String> comments = findings.comments;
  private final SageMakerFeatures featureMapping = new SageMakerFeatures(findings);
  private final SageMakerStoreSettings settings;

  /** @param source where the definition came from, for messages */
  SageMakerConversion(String source, SageMakerImport.Options options) {
    this.source = source;
    this.options = options;
    this.settings = new SageMakerStoreSettings(options.owner(), findings);
  }

  SageMakerImport.Result convert(JsonNode root, Path definitionsDir) {
    SageMakerJsonObject group = new SageMakerJsonObject("", root, findings);
    group.reportUnknown(SageMakerImport.DEFINITION_FIELDS, SageMakerImport.STATE_FIELDS);
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
    List<FeatureDefinition> features = featureMapping.features(group, tidemarkNames);
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
    String recordId = featureMapping.keyFeature(group, "RecordIdentifierFeatureName", tidemarkNames, features,
        Set.of(FeatureType.STRING, FeatureType.INTEGRAL), "String or Integral");
    String eventTimeSageMaker = group.requiredText("EventTimeFeatureName").orElse("");
    String eventTime = featureMapping.keyFeature(group, "EventTimeFeatureName", tidemarkNames, features,
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
    Map<String, String> tags = settings.tags(group);
    String owner = settings.owner(tags);
    OnlineSettings online = settings.online(group);
    Optional<String> s3Uri = Optional.empty();
    OfflineSettings offline = new OfflineSettings(StorageFormat.DELTA, true);
    Optional<SageMakerJsonObject> offlineConfig = group.object("OfflineStoreConfig");
    if (offlineConfig.isPresent()) {
      s3Uri = settings.offlineS3Uri(offlineConfig.get());
      offline = settings.offline(offlineConfig.get());
    } else {
      report.add("OfflineStoreConfig: none (the group has no offline store in SageMaker); Tidemark always keeps "
          + "the history, as a delta table");
    }
    group.object("ThroughputConfig").ifPresent(settings::throughput);
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
        EventTimeRange.STORABLE, features, Optional.empty(), offline, online,
        Optional.empty(), Optional.empty(), origin, file, "");
    List<String> header = List.of("Imported from SageMaker Feature Store group '" + sageMakerName + "' ("
        + source + ") by tidemark import-sagemaker.",
        "Add a source: (or sources: and a transform:) to ingest it; see README \"Feature definitions\".");
    List<String> footer = new ArrayList<>();
    if (!report.isEmpty()) {
      footer.add(0, "Not carried over or changed on import (see the import report):");
      report.forEach(r -> footer.add("  " + r));
    }
    String yaml = DefinitionYaml.write(draft, comments, header, footer);
    FeatureGroup parsed = validate(name, yaml, file);
    return new SageMakerImport.Result(sageMakerName, parsed, yaml, report, leftOut);
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
}
