package io.tidemark.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.offline.OfflineStore;
import io.tidemark.training.TrainingSetManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a training-set build can write beside its manifest: the profile of its feature columns
 * ({@code <output>.profile.json}) and, per group, a drift report against the group's recent history
 * ({@code <output>.drift-<group>.html}). Beside the output, not in it, like the manifest.
 */
public final class TrainingSetChecks {
  /** How much of a group's history, up to its last event, a training set is compared with. */
  public static final Duration RECENT = Duration.ofDays(30);

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainingSetChecks() {}

  static String profilePath(String output) {
    return output.replaceAll("/+$", "") + ".profile.json";
  }

  static String driftReportPath(String output, String group) {
    return output.replaceAll("/+$", "") + ".drift-" + group + ".html";
  }

  /** A drift report written beside a training set. */
  public record Report(DriftResult result, String path) {}

  /** A profile written beside a training set. */
  public record Profile(List<FeatureProfile> features, String path) {}

  /** Profiles the training set's feature columns (two Spark jobs) and writes them as JSON. */
  public static Profile writeProfile(OfflineStore store, FeatureRegistry registry,
      String manifestPath) {
    Configuration conf = store.spark().sparkContext().hadoopConfiguration();
    TrainingSetManifest m = TrainingSetManifest.read(manifestPath, conf);
    Dataset<Row> rows = DriftWindowReader.readOutput(store.spark(), m);
    List<Profiler.Input> inputs = new ArrayList<>();
    for (TrainingSetManifest.Group g : m.groups()) {
      FeatureGroup group = registry.group(g.group());
      for (String f : g.features()) {
        FeatureDefinition def = group.feature(f).orElseThrow();
        String column = m.options().prefixFeatures() ? g.group() + "__" + f : f;
        inputs.add(new Profiler.Input(g.group() + "." + f, FeatureKind.of(def),
            org.apache.spark.sql.functions.col(io.tidemark.util.Sql.quote(column)).cast(def.sparkType())));
      }
    }
    List<FeatureProfile> profiles = Profiler.profile(rows, inputs);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("training_set", m.output().path());
    doc.put("manifest", manifestPath);
    doc.put("features", profiles.stream().map(TrainingSetChecks::json).toList());
    String path = profilePath(m.output().path());
    try {
      Path p = new Path(path);
      try (OutputStream out = p.getFileSystem(conf).create(p, true)) {
        out.write(JSON.writeValueAsBytes(doc));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training set's profile " + path + ": " + e.getMessage(), e);
    }
    return new Profile(profiles, path);
  }

  /**
   * Per group of the training set: drift from the group's last {@link #RECENT} of event time (up to its last
   * event) to the training set's columns, as a report beside the manifest. Returns the results.
   */
  public static List<Report> writeDriftReports(OfflineStore store, FeatureRegistry registry,
      String manifestPath) {
    Configuration conf = store.spark().sparkContext().hadoopConfiguration();
    TrainingSetManifest m = TrainingSetManifest.read(manifestPath, conf);
    List<Report> out = new ArrayList<>();
    for (TrainingSetManifest.Group g : m.groups()) {
      FeatureGroup group = registry.group(g.group());
      List<String> comparable = g.features().stream().filter(f -> !group.feature(f).orElseThrow().isCollection())
          .toList();
      Instant last = store.forGroup(group).facts().lastEventTime().orElse(null);
      if (comparable.isEmpty() || last == null) {
        continue;
      }
      Instant end = last.plus(1, ChronoUnit.MICROS);
      DriftResult r = new DriftAction(store, group).baseline(new DriftWindow.TimeRange(end.minus(RECENT), end))
          .current(new DriftWindow.Manifest(manifestPath)).features(comparable).execute();
      String path = driftReportPath(m.output().path(), g.group());
      DriftReport.write(r, path, conf);
      out.add(new Report(r, path));
    }
    return out;
  }

  private static Map<String, Object> json(FeatureProfile p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("feature", p.feature());
    m.put("kind", p.kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("count", p.count());
    m.put("missing", p.missing());
    m.put("distinct_estimate", p.distinct().orElse(null));
    m.put("min", p.min().orElse(null));
    m.put("max", p.max().orElse(null));
    m.put("mean", p.mean().orElse(null));
    m.put("deciles", p.deciles());
    m.put("histogram_edges", p.histogramEdges());
    m.put("histogram_counts", p.histogramCounts());
    List<Map<String, Object>> top = new ArrayList<>();
    for (FeatureProfile.ValueCount v : p.topValues()) {
      Map<String, Object> vm = new LinkedHashMap<>();
      vm.put("value", v.value());
      vm.put("count", v.count());
      top.add(vm);
    }
    m.put("top_values", top);
    return m;
  }
}
