package io.tidemark.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.asof.AsOfJoin;
import io.tidemark.asof.AsOfOptions;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.offline.OfflineTable;
import io.tidemark.util.OptionalAsNullModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The JSON file beside a training set ({@code <output>.manifest.json}) that says exactly how it was built:
 * the Delta version of every offline table read, the definitions' hash, the spine and its content hash, every
 * option, the counts and the files written. {@code training-set --from-manifest} rebuilds the same rows from it.
 * The records are the JSON, read and written by Jackson; each names its fields' order, as Jackson 2.15 puts
 * renamed record fields first.
 */
@JsonPropertyOrder({"manifest_version", "created_at", "spine", "groups", "definitions_hash", "options", "output",
    "counts"})
public record TrainingSetManifest(
    @JsonProperty("manifest_version") int manifestVersion,
    @JsonProperty("created_at") String createdAt,
    Spine spine,
    List<Group> groups,
    @JsonProperty("definitions_hash") String definitionsHash,
    Options options,
    Output output,
    Counts counts) {

  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).registerModule(new OptionalAsNullModule());

  /**
   * Where the spine came from: a file ({@code location} + {@code format}) or a catalog table.
   *
   * @param contentHash order-independent hash of the spine's rows as read, with their count
   */
  @JsonPropertyOrder({"location", "format", "table", "time_column", "content_hash"})
  public record Spine(Optional<String> location, Optional<String> format, Optional<String> table,
      @JsonProperty("time_column") String timeColumn, @JsonProperty("content_hash") String contentHash) {}

  /** One group read: what was taken from it, how it was joined and which version of its table. */
  @JsonPropertyOrder({"group", "features", "join_key", "ttl", "table", "storage", "delta_version", "definition_hash",
      "rows_matched", "rows_deleted", "rows_no_candidate"})
  public record Group(String group, List<String> features, @JsonProperty("join_key") String joinKey,
      Optional<String> ttl, String table, String storage, @JsonProperty("delta_version") Optional<Long> deltaVersion,
      @JsonProperty("definition_hash") String definitionHash, @JsonProperty("rows_matched") long matched,
      @JsonProperty("rows_deleted") long deleted, @JsonProperty("rows_no_candidate") long noCandidate) {
    public Group {
      features = List.copyOf(features);
    }
  }

  /** The options of the join and output; manifests without one read as its default. */
  @JsonPropertyOrder({"strict", "delay", "as_known_at", "as_of", "prefix_features", "label", "engine"})
  public record Options(boolean strict, String delay, @JsonProperty("as_known_at") boolean asKnownAt,
      @JsonProperty("as_of") Optional<String> asOf, @JsonProperty("prefix_features") boolean prefixFeatures,
      Optional<String> label, String engine) {
    public Options {
      delay = delay == null ? "0s" : delay;
      engine = engine == null ? "ZIP_PARTITIONS" : engine;
    }
  }

  /**
   * What was written: its columns in order with their Spark SQL types and, for sagemaker-csv, each text column's
   * values in index order (value i was written as i; an unseen value or null as the list's size).
   */
  @JsonPropertyOrder({"path", "format", "table", "files", "columns", "encodings"})
  public record Output(String path, String format, List<String> files, Optional<String> table,
      List<Column> columns, Map<String, List<String>> encodings) {
    public Output {
      files = files == null ? List.of() : List.copyOf(files);
      columns = columns == null ? List.of() : List.copyOf(columns);
      encodings = Collections.unmodifiableMap(encodings == null ? Map.of() : new LinkedHashMap<>(encodings));
    }
  }

  /** An output column: its name and its Spark SQL type ({@code bigint}, {@code timestamp}, ...). */
  public record Column(String name, String type) {
    public Column {
      name = name == null ? "" : name;
      type = type == null ? "" : type;
    }
  }

  /** Rows in the spine and in the output (always equal: see {@link TrainingSetResult}). */
  public record Counts(@JsonProperty("spine_rows") long spineRows, @JsonProperty("output_rows") long outputRows) {}

  @JsonCreator
  public TrainingSetManifest {
    groups = List.copyOf(groups);
    createdAt = createdAt == null ? "" : createdAt;
  }

  public TrainingSetManifest(int manifestVersion, String createdAt, Spine spine, List<Group> groups,
      String definitionsHash, Options options, Output output, long spineRows, long outputRows) {
    this(manifestVersion, createdAt, spine, groups, definitionsHash, options, output,
        new Counts(spineRows, outputRows));
  }

  @JsonIgnore
  public long spineRows() {
    return counts.spineRows();
  }

  @JsonIgnore
  public long outputRows() {
    return counts.outputRows();
  }

  /** The manifest of a build: what was asked for, what it read (versions, counts) and what it wrote. */
  static TrainingSetManifest of(TrainingSetRequest request, List<RequestedGroup> groups, GroupHistories histories,
      List<AsOfJoin.SourceStats> stats, SpineProfile spine, TrainingSetWriter.Written written,
      Map<String, List<String>> encodings) {
    List<Group> read = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      RequestedGroup g = groups.get(i);
      AsOfJoin.SourceStats s = stats.get(i);
      OfflineTable table = histories.table(g.name());
      read.add(new Group(g.name(), g.features(), g.joinKey(), g.ttl().map(Durations::format), table.tableName(),
          table.format().sparkName(), histories.version(g.name()), g.group().contentHash(), s.matched(),
          s.deleted(), s.noCandidate()));
    }
    AsOfOptions o = request.options();
    return new TrainingSetManifest(VERSION, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
        new Spine(request.spineFile().map(SourceDefinition::path), request.spineFile().map(f -> f.format()
            .sparkName()), request.spineTable(), request.spineTimeColumn(), spine.contentHash()),
        read, RequestedGroup.definitionsHash(groups),
        new Options(o.strict(), Durations.format(o.delay()), o.asKnownAt(), o.asOf().map(Instant::toString),
            request.prefixFeatures(), request.label(), request.strategy().name()),
        new Output(request.output(), request.format().cliName(), written.files(), request.registerTable(),
            Arrays.stream(written.rows().schema().fields()).map(f -> new Column(f.name(),
                f.dataType().catalogString())).toList(), encodings),
        spine.rows(), written.count());
  }

  /**
   * A rebuild must read the same spine and time travel in every group; changed definitions are only reported
   * (the returned warnings), since this manifest pins the rest.
   */
  List<String> checkRebuild(String spineName, SpineProfile now, List<RequestedGroup> groups) {
    if (!spine.contentHash().equals(now.contentHash())) {
      throw new IllegalStateException(spineName + " changed since the manifest was written (content hash "
          + spine.contentHash().substring(0, 12) + ", now " + now.contentHash().substring(0, 12)
          + "); restore the spine to rebuild that training set, or build a new one");
    }
    for (Group g : this.groups) {
      if (g.deltaVersion().isEmpty()) {
        throw new IllegalArgumentException("group '" + g.group() + "' was read from a " + g.storage()
            + " offline table, which has no versions to time travel to; a rebuild needs offline.format: delta");
      }
    }
    if (!RequestedGroup.definitionsHash(groups).equals(definitionsHash)) {
      return List.of("the definitions of " + String.join(", ", groups.stream().map(RequestedGroup::name).toList())
          + " changed since the manifest was written; the rebuild uses the manifest's features, TTLs and table "
          + "versions");
    }
    return List.of();
  }

  /** Where the manifest of the training set at {@code output} lives. */
  public static String pathFor(String output) {
    return output.replaceAll("/+$", "") + ".manifest.json";
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a manifest; a missing field is named in the order a reader meets them, so errors read the same. */
  public static TrainingSetManifest fromJson(String json, String where) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest " + where + " is not valid JSON: " + e.getMessage(), e);
    }
    int version = required(n, "manifest_version", where).asInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("manifest " + where + " has manifest_version " + version
          + "; this Tidemark reads version " + VERSION);
    }
    requireAll(required(n, "spine", where), where, "time_column", "content_hash");
    for (JsonNode g : required(n, "groups", where)) {
      requireAll(g, where, "features", "group", "join_key", "table", "storage", "definition_hash");
    }
    required(n, "options", where);
    requireAll(required(n, "output", where), where, "path", "format");
    requireAll(n, where, "counts", "definitions_hash");
    try {
      return JSON.treeToValue(n, TrainingSetManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest " + where + " does not read as a manifest: " + e.getMessage(), e);
    }
  }

  /** Writes the manifest through Hadoop's file system (local, s3a://). */
  public void write(String path, Configuration conf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      try (OutputStream os = fs.create(p, true)) {
        os.write(toJson().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest " + path, e);
    }
  }

  public static TrainingSetManifest read(String path, Configuration conf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("manifest " + path + " does not exist (it is written beside a training "
            + "set as <output>.manifest.json)");
      }
      try (InputStream in = fs.open(p)) {
        return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + path, e);
    }
  }

  private static void requireAll(JsonNode n, String where, String... fields) {
    for (String field : fields) {
      required(n, field, where);
    }
  }

  private static JsonNode required(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("manifest " + where + " lacks '" + field + "'");
    }
    return v;
  }
}
