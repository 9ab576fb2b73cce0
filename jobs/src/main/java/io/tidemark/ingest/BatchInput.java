package io.tidemark.ingest;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceInput;
import io.tidemark.source.SourceReader;
import io.tidemark.transform.SqlTransform;
import io.tidemark.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a batch reads, however it came: its rows, the files that pin their content, and how to name it.
 *
 * @param fingerprintOptions the reader options and range that, with the files, identify the batch
 */
record BatchInput(String describe, Dataset<Row> rows, String[] files, Optional<Path> transform,
    String fingerprintOptions) {

  /** History rows (an import), as they came. */
  static BatchInput of(HistoryInput history) {
    return new BatchInput(history.describe(), history.rows(), history.fileArray(), Optional.empty(), "");
  }

  /** The source's inputs, through its transform (none for tombstones); a backfill reads only its dates. */
  static BatchInput read(SparkSession spark, FeatureGroup group, SourceDefinition s, RowValidator.Mode mode,
      BatchIngest.Options options) {
    Optional<SqlTransform> transform = mode == RowValidator.Mode.TOMBSTONES ? Optional.empty()
        : s.transform().map(t -> SqlTransform.load(spark, t));
    Map<String, Dataset<Row>> inputs = readInputs(spark, group, s, mode, options);
    Dataset<Row> rows = transform.map(t -> t.apply(spark, inputs)).orElseGet(() -> inputs.get(s.primary().name()));
    return new BatchInput(s.describe(), rows, inputFiles(inputs), transform.map(SqlTransform::file),
        fingerprintOptions(s, options));
  }

  /** How far before --start a backfill must read: a window group's longest window plus its delay. */
  static Duration lookback(FeatureGroup group) {
    return group.windows().map(w -> w.longestWindow().plus(w.delay())).orElse(Duration.ZERO);
  }

  /** SHA-256 of the transform file, for the batch ledger. */
  Optional<String> transformSha256() {
    return transform.map(file -> {
      try {
        return Hashing.sha256Hex(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the transform " + file, e);
      }
    });
  }

  private static Map<String, Dataset<Row>> readInputs(SparkSession spark, FeatureGroup group,
      SourceDefinition source, RowValidator.Mode mode, BatchIngest.Options options) {
    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
    for (SourceInput input : source.inputs()) {
      Dataset<Row> raw = mode == RowValidator.Mode.TOMBSTONES
          ? SourceReader.read(spark, input, "delete file", "check delete --source PATH and --format")
          : SourceReader.read(spark, input);
      if (options.ranged()) {
        Instant readFrom = options.start().get().minus(lookback(group));
        raw = SourceReader.dateRange(raw, input, readFrom, options.end().get());
      }
      inputs.put(input.name(), raw);
    }
    return inputs;
  }

  private static String[] inputFiles(Map<String, Dataset<Row>> inputs) {
    List<String> files = new ArrayList<>();
    inputs.values().forEach(d -> files.addAll(List.of(d.inputFiles())));
    return files.toArray(String[]::new);
  }

  private static String fingerprintOptions(SourceDefinition source, BatchIngest.Options options) {
    Map<String, String> all = new TreeMap<>();
    source.inputs().forEach(i -> i.options().forEach((k, v) -> all.put(i.name() + "." + k, v)));
    options.start().ifPresent(s -> all.put("range.start", s.toString()));
    options.end().ifPresent(e -> all.put("range.end", e.toString()));
    return all.toString();
  }
}
