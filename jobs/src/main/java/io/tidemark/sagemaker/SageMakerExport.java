package io.tidemark.sagemaker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.EventTimeRange;
import io.tidemark.definitions.FeatureCollection;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.definitions.StorageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Tidemark group as a SageMaker {@code CreateFeatureGroup} request (for {@code aws sagemaker create-feature-group
 * --cli-input-json}), for teams that keep serving from SageMaker. {@link SageMakerImport} reads it back to the same
 * definition whenever the group uses only what SageMaker can express; everything else is reported.
 */
public final class SageMakerExport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SageMakerExport() {}

  /**
   * @param offlineS3Uri the offline store's S3Uri; default: the group's {@code sagemaker.offline_s3_uri}
   * @param roleArn the RoleArn SageMaker needs to write the offline store
   */
  public record Options(Optional<String> offlineS3Uri, Optional<String> roleArn) {
    public static Options defaults() {
      return new Options(Optional.empty(), Optional.empty());
    }
  }

  /** The request as pretty-printed JSON, and every setting that was changed or left out, one line each. */
  public record Result(String json, List<String> report) {
    public Result {
      report = List.copyOf(report);
    }
  }

  /** @throws SageMakerException when a name cannot be a SageMaker name (set it under sagemaker:) */
  public static Result request(FeatureGroup g, Options options) {
    List<String> report = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Optional<SageMakerOrigin> origin = g.sagemaker();
    String groupName = origin.map(SageMakerOrigin::featureGroupName).orElse(g.name());
    checkName(groupName, "group '" + g.name() + "'", "sagemaker: {name: ...}", problems);
    ObjectNode request = MAPPER.createObjectNode();
    request.put("FeatureGroupName", groupName);
    request.put("RecordIdentifierFeatureName", sageMakerName(g, g.recordIdentifier()));
    request.put("EventTimeFeatureName", sageMakerName(g, g.eventTime()));
    ArrayNode definitions = request.putArray("FeatureDefinitions");
    List<String> described = new ArrayList<>();
    for (FeatureDefinition f : g.features()) {
      String name = sageMakerName(g, f.name());
      checkName(name, "feature '" + f.name() + "'", "sagemaker: {feature_names: {" + f.name() + ": ...}}", problems);
      ObjectNode definition = definitions.addObject().put("FeatureName", name)
          .put("FeatureType", featureType(g, f, report));
      f.collection().ifPresent(c -> collection(f, c, definition, report));
      if (!f.description().isEmpty()) {
        described.add(f.name());
      }
      if (!f.rules().isEmpty()) {
        report.add("feature '" + f.name() + "': its rules are not carried (SageMaker has no validation rules)");
      }
      boolean key = f.name().equals(g.recordIdentifier()) || f.name().equals(g.eventTime());
      if (!f.nullable() && !key) {
        report.add("feature '" + f.name() + "': nullable: false is not carried (SageMaker features are optional)");
      }
    }
    if (!described.isEmpty()) {
      report.add("feature descriptions (" + String.join(", ", described) + "): not carried; CreateFeatureGroup has "
          + "none (set them with aws sagemaker update-feature-metadata)");
    }
    if (g.online().enabled() || g.online().ttl().isPresent()) {
      ObjectNode online = request.putObject("OnlineStoreConfig").put("EnableOnlineStore", g.online().enabled());
      g.online().ttl().ifPresent(t -> ttlDuration(t, online.putObject("TtlDuration"), report));
    }
    Optional<String> s3Uri = options.offlineS3Uri().or(() -> origin.flatMap(SageMakerOrigin::offlineS3Uri));
    if (s3Uri.isPresent()) {
      ObjectNode offline = request.putObject("OfflineStoreConfig");
      offline.putObject("S3StorageConfig").put("S3Uri", s3Uri.get());
      // delta and Iceberg are the transactional formats; parquet is what SageMaker's Glue format writes
      offline.put("TableFormat", g.offline().format() == StorageFormat.DELTA ? "Iceberg" : "Glue");
      if (g.offline().format() == StorageFormat.DELTA) {
        report.add("offline.format delta: TableFormat Iceberg (SageMaker has no delta tables)");
      }
      if (options.roleArn().isEmpty()) {
        report.add("RoleArn: left out; CreateFeatureGroup needs it with an OfflineStoreConfig (pass --role-arn ARN)");
      }
    } else {
      report.add("OfflineStoreConfig: left out, no S3 URI known (pass --offline-s3-uri s3://bucket/prefix, or set "
          + "sagemaker.offline_s3_uri)");
    }
    options.roleArn().ifPresent(r -> request.put("RoleArn", r));
    if (!g.offline().partitionByEventDate()) {
      report.add("offline.partition_by none: not carried (SageMaker partitions its offline store by event time)");
    }
    if (!g.description().isEmpty()) {
      request.put("Description", g.description());
    }
    Map<String, String> tags = new TreeMap<>(g.tags());
    if (!g.owner().isEmpty()) {
      String tag = tags.put("owner", g.owner());
      if (tag != null && !tag.equals(g.owner())) {
        report.add("tags.owner '" + tag + "': replaced by the owner '" + g.owner() + "' (the owner is the tag 'owner')");
      }
    }
    if (!tags.isEmpty()) {
      ArrayNode t = request.putArray("Tags");
      tags.forEach((k, v) -> t.addObject().put("Key", k).put("Value", v));
    }
    notCarried(g, report);
    if (!problems.isEmpty()) {
      throw new SageMakerException("cannot export group '" + g.name() + "'", problems);
    }
    try {
      return new Result(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(request) + "\n", report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * String, Integral and Fractional are SageMaker's own types. The event time is a Fractional when the group reads
   * it as epoch seconds only, else an ISO-8601 String; another Timestamp is an ISO-8601 String, a Boolean an
   * Integral 0/1.
   */
  private static String featureType(FeatureGroup g, FeatureDefinition f, List<String> report) {
    if (f.name().equals(g.eventTime())) {
      if (g.eventTimeFormats().equals(List.of(EventTimeFormat.EPOCH_SECONDS))) {
        return "Fractional";
      }
      List<String> others = g.eventTimeFormats().stream().filter(e -> e != EventTimeFormat.ISO8601)
          .map(EventTimeFormat::yamlName).toList();
      if (!others.isEmpty()) {
        report.add("event time '" + f.name() + "': String (ISO-8601, yyyy-MM-dd'T'HH:mm:ssZ); Tidemark also reads "
            + String.join(" and ", others) + " for it, SageMaker's String event time does not");
      }
      return "String";
    }
    return switch (f.type()) {
      case STRING -> "String";
      case INTEGRAL -> "Integral";
      case FRACTIONAL -> "Fractional";
      case BOOLEAN -> {
        report.add("feature '" + f.name() + "' (Boolean): Integral, write 1 for true and 0 for false (SageMaker has "
            + "no Boolean); import-sagemaker reads it back as Integral");
        yield "Integral";
      }
      case TIMESTAMP -> {
        report.add("feature '" + f.name() + "' (Timestamp): String, write ISO-8601 (SageMaker has no Timestamp); "
            + "import-sagemaker reads it back as String");
        yield "String";
      }
    };
  }

  /** List, Set, Vector (with its Dimension); a max_elements other than the default is not carried. */
  private static void collection(FeatureDefinition f, FeatureCollection c, ObjectNode out, List<String> report) {
    switch (c.kind()) {
      case LIST -> out.put("CollectionType", "List");
      case SET -> out.put("CollectionType", "Set");
      case VECTOR -> {
        out.put("CollectionType", "Vector");
        out.putObject("CollectionConfig").putObject("VectorConfig").put("Dimension", c.dimension());
      }
      default -> throw new IllegalStateException(c.kind().name());
    }
    if (c.kind() != FeatureCollection.Kind.VECTOR && c.maxElements() != FeatureCollection.DEFAULT_MAX_ELEMENTS) {
      report.add("feature '" + f.name() + "': max_elements " + c.maxElements() + " is not carried (SageMaker has no "
          + "such limit; import-sagemaker reads back the default " + FeatureCollection.DEFAULT_MAX_ELEMENTS + ")");
    }
  }

  /** The largest SageMaker unit that holds the duration exactly; below a second, rounded up to seconds. */
  private static void ttlDuration(Duration ttl, ObjectNode out, List<String> report) {
    List<Map.Entry<String, java.time.temporal.ChronoUnit>> units = new ArrayList<>(
        SageMakerImport.TTL_UNITS.entrySet());
    java.util.Collections.reverse(units);
    for (Map.Entry<String, java.time.temporal.ChronoUnit> u : units) {
      Duration unit = u.getValue().getDuration();
      if (ttl.toMillis() % unit.toMillis() == 0) {
        out.put("Unit", u.getKey()).put("Value", ttl.toMillis() / unit.toMillis());
        return;
      }
    }
    long seconds = (ttl.toMillis() + 999) / 1000;
    out.put("Unit", "Seconds").put("Value", seconds);
    report.add("online.ttl " + Durations.format(ttl) + ": " + seconds + " Seconds (SageMaker's smallest unit)");
  }

  private static void notCarried(FeatureGroup g, List<String> report) {
    g.ttl().ifPresent(t -> report.add("ttl " + Durations.format(t) + ": not carried (SageMaker has no time-to-live "
        + "for point-in-time joins)"));
    if (!g.eventTimeRange().equals(EventTimeRange.STORABLE)) {
      report.add("event_time_range " + g.eventTimeRange().describe() + ": not carried");
    }
    g.source().ifPresent(s -> report.add("source" + (s.inputs().size() > 1 ? "s" : "")
        + s.transform().map(t -> " and transform").orElse("") + ": not carried (SageMaker is fed with PutRecord; "
        + "Tidemark's ingest stays the way in)"));
    g.windows().ifPresent(w -> report.add("windows: not carried (SageMaker has no window aggregations; export "
        + "the computed features instead)"));
  }

  private static String sageMakerName(FeatureGroup g, String feature) {
    return g.sagemaker().map(s -> s.featureName(feature)).orElse(feature);
  }

  private static void checkName(String name, String what, String fix, List<String> problems) {
    if (!SageMakerOrigin.NAME.matcher(name).matches() || name.length() > 64) {
      problems.add(what + ": '" + name + "' is not a SageMaker name (letters, digits, '-' and '_', starting and "
          + "ending with a letter or digit, at most 64 characters); set one with " + fix);
    }
  }
}
