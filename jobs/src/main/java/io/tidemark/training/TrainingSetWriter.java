package io.tidemark.training;

import static org.apache.spark.sql.functions.col;

import io.tidemark.asof.AsOfJoin;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.offline.CatalogEntry;
import io.tidemark.offline.OfflineStore;
import io.tidemark.source.SourceReader;
import io.tidemark.util.JobLabel;
import io.tidemark.util.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * A training set's output: the joined rows shaped for the output format, written, read back to count them and
 * list the files (the check that every spine row came out), and optionally registered as a catalog table.
 */
final class TrainingSetWriter {
  private final SparkSession spark;
  private final OfflineStore store;
  private final TrainingSetRequest request;
  private final String output;
  private final OutputFormat format;

  /**
   * The rows to write and, for sagemaker-csv, each encoded column's values in index order.
   *
   * @param joined the join's rows (persisted for sagemaker-csv, whose encodings read them once more)
   */
  record Shaped(Dataset<Row> joined, Dataset<Row> rows, Map<String, List<String>> encodings) {}

  /** What the check read back: the rows, their count and the data files (sorted absolute URIs). */
  record Written(Dataset<Row> rows, long count, List<String> files) {}

  TrainingSetWriter(SparkSession spark, OfflineStore store, TrainingSetRequest request) {
    this.spark = spark;
    this.store = store;
    this.request = request;
    this.output = request.output();
    this.format = request.format();
  }

  void refuseExistingOutput() {
    if (!request.overwrite() && exists()) {
      throw new IllegalArgumentException("output " + output + " already exists; choose another --output or pass "
          + "--overwrite");
    }
  }

  /**
   * The joined rows as the format holds them: in CSV a collection is its JSON text; sagemaker-csv holds numbers
   * only ({@link SageMakerCsv}).
   */
  Shaped shape(AsOfJoin.Result joined, List<RequestedGroup> groups, JobLabel job) {
    Dataset<Row> base = joined.rows().drop(SpineRows.SPINE_TIME);
    Map<String, FeatureDefinition> collections = new LinkedHashMap<>();
    for (RequestedGroup g : groups) {
      for (int i = 0; i < g.features().size(); i++) {
        int at = i;
        g.group().feature(g.features().get(i)).filter(FeatureDefinition::isCollection)
            .ifPresent(f -> collections.put(g.outputNames().get(at), f));
      }
    }
    if (format == OutputFormat.CSV) {
      // as ingest reads a collection back from a csv cell
      Dataset<Row> rows = base;
      for (String c : collections.keySet()) {
        rows = rows.withColumn(c, functions.to_json(col(Sql.quote(c))));
      }
      return new Shaped(base, rows, Map.of());
    }
    if (format == OutputFormat.SAGEMAKER_CSV) {
      job.step("training-set: " + output + ": encode text columns for sagemaker-csv");
      Dataset<Row> persisted = base.persist(StorageLevel.MEMORY_AND_DISK());
      SageMakerCsv.Shaped shaped = SageMakerCsv.shape(persisted, request.label().get(), joined.featureColumns(),
          collections);
      return new Shaped(persisted, shaped.rows(), shaped.encodings());
    }
    return new Shaped(base, base, Map.of());
  }

  /**
   * Writes files sized like the offline ones (REBALANCE at offline.target_file_size: few files, none empty), or
   * exactly one with {@code singleFile}. A CSV file that came out empty (no rows and no header) is removed, as
   * SageMaker's readers fail on one.
   */
  void write(Dataset<Row> rows) {
    SaveMode mode = request.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
    Dataset<Row> laidOut = request.singleFile() ? rows.coalesce(1) : rows.hint("rebalance");
    var writer = laidOut.write().format(format.sparkFormat()).mode(mode);
    if (isCsv()) {
      writer = writer.options(csvOptions());
    } else if (format == OutputFormat.DELTA && request.overwrite()) {
      writer = writer.option("overwriteSchema", "true");
    }
    var w = writer;
    store.withTargetFileSize(() -> w.save(output));
    if (isCsv()) {
      removeEmptyFiles();
    }
  }

  /** Reads the output back with the schema written: its row count and files. */
  Written verify(Dataset<Row> rows) {
    var reader = spark.read().format(format.sparkFormat());
    if (isCsv()) {
      // multiLine: a quoted value may hold a newline, and must count as one row
      reader = reader.options(csvOptions()).option("multiLine", "true").schema(rows.schema());
    }
    Dataset<Row> written = reader.load(output);
    return new Written(written, written.count(), Arrays.stream(written.inputFiles()).sorted().toList());
  }

  /** Registers the output as {@code table} (its location), and the table's catalog entry. */
  void register(String table, Dataset<Row> rows) {
    if (request.overwrite()) {
      spark.sql("DROP TABLE IF EXISTS " + quoteTable(table));
    } else if (spark.catalog().tableExists(table)) {
      throw new IllegalArgumentException("table " + table + " already exists; choose another --register-table or "
          + "pass --overwrite");
    }
    String location = " LOCATION " + Sql.literal(output);
    CatalogEntry.Storage storage;
    if (format == OutputFormat.PARQUET || format == OutputFormat.DELTA) {
      spark.sql("CREATE TABLE " + quoteTable(table) + " USING " + format.sparkFormat() + location);
      storage = format == OutputFormat.DELTA ? CatalogEntry.Storage.DELTA : CatalogEntry.Storage.PARQUET;
    } else {
      List<String> cols = Arrays.stream(rows.schema().fields())
          .map(f -> Sql.quote(f.name()) + " " + f.dataType().sql()).toList();
      List<String> options = new ArrayList<>();
      Map<String, String> csv = new TreeMap<>(csvOptions());
      csv.put("multiLine", "true");
      csv.forEach((k, v) -> options.add(Sql.quote(k) + " " + Sql.literal(v)));
      spark.sql("CREATE TABLE " + quoteTable(table) + " (" + String.join(", ", cols) + ") USING csv OPTIONS ("
          + String.join(", ", options) + ")" + location);
      storage = CatalogEntry.Storage.csv(csvOptions());
    }
    String[] name = table.contains(".") ? table.split("\\.", 2)
        : new String[] {spark.catalog().currentDatabase(), table};
    CatalogEntry.sync(store, name[0], name[1], storage, "training set written by Tidemark to " + output,
        Map.of("tidemark.kind", "training_set", "tidemark.output", output));
  }

  private boolean isCsv() {
    return format == OutputFormat.CSV || format == OutputFormat.SAGEMAKER_CSV;
  }

  /** CSV writer and reader options of the output: RFC 4180, so Python's csv, pandas and SageMaker read it back. */
  private Map<String, String> csvOptions() {
    Map<String, String> o = new HashMap<>(SourceReader.csvWriteDefaults());
    o.put("header", String.valueOf(format == OutputFormat.CSV));
    // UTC instants to the microsecond (Spark's default pattern stops at milliseconds)
    o.put("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    if (format == OutputFormat.SAGEMAKER_CSV) {
      o.put("nullValue", "NaN"); // a missing value that every CSV reader of SageMaker's parses as a float
    }
    o.putAll(request.outputOptions());
    return o;
  }

  private void removeEmptyFiles() {
    try {
      Path dir = new Path(output);
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (FileStatus f : fs.listStatus(dir)) {
        if (f.isFile() && f.getLen() == 0 && f.getPath().getName().startsWith("part-")) {
          fs.delete(f.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the output " + output, e);
    }
  }

  private boolean exists() {
    try {
      Path p = new Path(output);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the output " + output, e);
    }
  }

  private static String quoteTable(String table) {
    return String.join(".", Arrays.stream(table.split("\\.")).map(Sql::quote).toList());
  }
}
