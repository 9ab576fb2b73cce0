package io.tidemark.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
 */
public record TrainingSetManifest(
    int manifestVersion,
    String createdAt,
    Spine spine,
    List<Group> groups,
    String definitionsHash,
    Options options,
    Output output,
    long spineRows,
    long outputRows) {

  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Where the spine came from: a file ({@code location} + {@code format}) or a catalog table.
   *
   * @param contentHash order-independent hash of the spine's rows as read, with their count
   */
  public record Spine(Optional<String> location, Optional<String> format, Optional<String> table,
      String timeColumn, String contentHash) {}

  /** One group read: what was taken from it, how it was joined and which version of its table. */
  public record Group(String group, List<String> features, String joinKey, Optional<String> ttl, String table,
      String storage, Optional<Long> deltaVersion, String definitionHash, long matched, long deleted,
      long noCandidate) {
    public Group {
      features = List.copyOf(features);
    }
  }

  /** The options of the join and output. */
  public record Options(boolean strict, String delay, boolean asKnownAt, Optional<String> asOf,
      boolean prefixFeatures, Optional<String> label, String engine) {}

  /**
   * What was written: its columns in order with their Spark SQL types and, for sagemaker-csv, each text column's
   * values in index order (value i was written as i; an unseen value or null as the list's size).
   */
  public record Output(String path, String format, List<String> files, Optional<String> table,
      List<Column> columns, Map<String, List<String>> encodings) {
    public Output {
      files = List.copyOf(files);
      columns = List.copyOf(columns);
      encodings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(encodings));
    }
  }

  /** An output column: its name and its Spark SQL type ({@code bigint}, {@code timestamp}, ...). */
  public record Column(String name, String type) {}

  public TrainingSetManifest {
    groups = List.copyOf(groups);
  }

  /** Where the manifest of the training set at {@code output} lives. */
  public static String pathFor(String output) {
    return output.replaceAll("/+$", "") + ".manifest.json";
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("manifest_version", manifestVersion);
    m.put("created_at", createdAt);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("location", spine.location().orElse(null));
    s.put("format", spine.format().orElse(null));
    s.put("table", spine.table().orElse(null));
    s.put("time_column", spine.timeColumn());
    s.put("content_hash", spine.contentHash());
    m.put("spine", s);
    List<Object> gs = new ArrayList<>();
    for (Group g : groups) {
      Map<String, Object> gm = new LinkedHashMap<>();
      gm.put("group", g.group());
      gm.put("features", g.features());
      gm.put("join_key", g.joinKey());
      gm.put("ttl", g.ttl().orElse(null));
      gm.put("table", g.table());
      gm.put("storage", g.storage());
      gm.put("delta_version", g.deltaVersion().orElse(null));
      gm.put("definition_hash", g.definitionHash());
      gm.put("rows_matched", g.matched());
      gm.put("rows_deleted", g.deleted());
      gm.put("rows_no_candidate", g.noCandidate());
      gs.add(gm);
    }
    m.put("groups", gs);
    m.put("definitions_hash", definitionsHash);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("strict", options.strict());
    o.put("delay", options.delay());
    o.put("as_known_at", options.asKnownAt());
    o.put("as_of", options.asOf().orElse(null));
    o.put("prefix_features", options.prefixFeatures());
    o.put("label", options.label().orElse(null));
    o.put("engine", options.engine());
    m.put("options", o);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("path", output.path());
    out.put("format", output.format());
    out.put("table", output.table().orElse(null));
    out.put("files", output.files());
    List<Map<String, String>> columns = new ArrayList<>();
    for (Column c : output.columns()) {
      Map<String, String> column = new LinkedHashMap<>();
      column.put("name", c.name());
      column.put("type", c.type());
      columns.add(column);
    }
    out.put("columns", columns);
    out.put("encodings", output.encodings());
    m.put("output", out);
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("spine_rows", spineRows);
    counts.put("output_rows", outputRows);
    m.put("counts", counts);
    try {
      return JSON.writeValueAsString(m) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

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
    JsonNode s = required(n, "spine", where);
    Spine spine = new Spine(text(s, "location"), text(s, "format"), text(s, "table"),
        required(s, "time_column", where).asText(), required(s, "content_hash", where).asText());
    List<Group> groups = new ArrayList<>();
    for (JsonNode g : required(n, "groups", where)) {
      List<String> features = new ArrayList<>();
      required(g, "features", where).forEach(f -> features.add(f.asText()));
      groups.add(new Group(required(g, "group", where).asText(), features, required(g, "join_key", where).asText(),
          text(g, "ttl"), required(g, "table", where).asText(), required(g, "storage", where).asText(),
          g.hasNonNull("delta_version") ? Optional.of(g.get("delta_version").asLong()) : Optional.empty(),
          required(g, "definition_hash", where).asText(), g.path("rows_matched").asLong(),
          g.path("rows_deleted").asLong(), g.path("rows_no_candidate").asLong()));
    }
    JsonNode o = required(n, "options", where);
    Options options = new Options(o.path("strict").asBoolean(), o.path("delay").asText("0s"),
        o.path("as_known_at").asBoolean(), text(o, "as_of"), o.path("prefix_features").asBoolean(),
        text(o, "label"), o.path("engine").asText("ZIP_PARTITIONS"));
    JsonNode out = required(n, "output", where);
    List<String> files = new ArrayList<>();
    out.path("files").forEach(f -> files.add(f.asText()));
    List<Column> columns = new ArrayList<>();
    out.path("columns").forEach(c -> columns.add(new Column(c.path("name").asText(), c.path("type").asText())));
    Map<String, List<String>> encodings = new LinkedHashMap<>();
    out.path("encodings").fields().forEachRemaining(e -> {
      List<String> values = new ArrayList<>();
      e.getValue().forEach(v -> values.add(v.asText()));
      encodings.put(e.getKey(), values);
    });
    Output output = new Output(required(out, "path", where).asText(), required(out, "format", where).asText(),
        files, text(out, "table"), columns, encodings);
    JsonNode counts = required(n, "counts", where);
    return new TrainingSetManifest(version, n.path("created_at").asText(), spine, groups,
        required(n, "definitions_hash", where).asText(), options, output, counts.path("spine_rows").asLong(),
        counts.path("output_rows").asLong());
  }

  /** Writes the manifest through Hadoop's file system (local, s3a://). */
  public void write(String path, Configuration conf) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      try (OutputStream os = fs.create(p, true)) {
        os.write(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
        return fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + path, e);
    }
  }

  private static JsonNode required(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("manifest " + where + " lacks '" + field + "'");
    }
    return v;
  }

  private static Optional<String> text(JsonNode n, String field) {
    return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
  }
}
