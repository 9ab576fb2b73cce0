package io.tidemark.sagemaker;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.ingest.HistoryInput;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.sagemaker.OfflineStoreLocator.Located;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a SageMaker Feature Store offline store (the history of one feature group) in either of SageMaker's table
 * formats, as the first half of importing that history into Tidemark: the rows as SageMaker stored them, named as
 * Tidemark names the features, with SageMaker's metadata, exact duplicates removed. Nothing is validated here: a
 * row Tidemark would refuse is returned as it is, for the write path to quarantine with its reason.
 *
 * <ul>
 *   <li>{@link Layout#GLUE} (SageMaker's default {@code TableFormat}): Parquet files under
 *       {@code .../offline-store/<group>-<epoch>/data/year=YYYY/month=MM/day=DD/hour=HH/}. Every Parquet file below the
 *       data folder is read (SageMaker's hourly folders are not needed, so an unusual layout below {@code data/}
 *       still reads), with their schemas merged (a feature added later reads as null in older files); files whose
 *       names start with {@code _} or {@code .} are not data.</li>
 *   <li>{@link Layout#ICEBERG}: an Apache Iceberg table, {@code data/} and {@code metadata/} under
 *       {@code .../offline-store/<group>-<epoch>/}. It is read through the Iceberg Spark runtime from its newest
 *       metadata file (the highest version number among {@code metadata/*.metadata.json}: {@code 00003-<uuid>} as a
 *       Glue or Hive catalog names them, {@code v3} as a Hadoop catalog does), so no catalog is needed; pass a
 *       {@code .metadata.json} file as the location to read that version (Glue's {@code metadata_location}).</li>
 * </ul>
 *
 * <p>The location may be the group's folder ({@code .../offline-store/<group>-<epoch>}), its {@code data/} folder
 * (SageMaker's {@code ResolvedOutputS3Uri}), or an Iceberg metadata file; local, {@code s3a://} or {@code s3://}
 * (served by S3A once {@link io.tidemark.runtime.S3Settings#apply} ran on the session, as Tidemark's jobs do).
 *
 * <p>Exact duplicates (SageMaker's offline store is written at least once, so a record can arrive twice) are rows
 * with the same record identifier, event time and {@code api_invocation_time}: one is kept, the one SageMaker
 * wrote first (the earliest {@code write_time}); among rows written at the same time, the one whose
 * {@code is_deleted} and then feature values (in definition order) sort first, so the choice never depends on file
 * order. Two writes of the same record and event time with different {@code api_invocation_time} are both kept.
 * (A null record identifier or event time counts as one value here; the write path quarantines such rows.)
 *
 * <p>{@link OfflineStoreLocator} finds the data and its layout, {@link OfflineStoreColumns} maps its columns to the
 * group's; this class reads, deduplicates and counts.
 */
public final class SageMakerOfflineStore {
  private static final String ICEBERG_SOURCE = "org.apache.iceberg.spark.source.IcebergSource";
  private static final String DUPLICATES = "__tidemark_copies";
  private static final String KEPT = "__tidemark_kept";

  /** SageMaker's two offline-store table formats ({@code OfflineStoreConfig.TableFormat}). */
  public enum Layout {
    GLUE("glue"),
    ICEBERG("iceberg");

    private final String cliName;

    Layout(String cliName) {
      this.cliName = cliName;
    }

    public String cliName() {
      return cliName;
    }

    /** {@code glue}, {@code iceberg}, or {@code auto} (empty: detect from the files). */
    public static Optional<Layout> parse(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      if (n.equals("auto")) {
        return Optional.empty();
      }
      for (Layout l : values()) {
        if (l.cliName.equals(n)) {
          return Optional.of(l);
        }
      }
      throw new IllegalArgumentException("unknown SageMaker offline store layout '" + name + "'; use glue "
          + "(TableFormat Glue, SageMaker's default: Parquet under data/year=/month=/day=/hour=), iceberg (TableFormat "
          + "Iceberg: data/ and metadata/) or auto (detect: iceberg when metadata/*.metadata.json exists)");
    }
  }

  /**
   * What was read. Counts are conserved: {@code rowsRead = rowsKept + duplicatesDropped} (the record refuses to
   * exist otherwise).
   *
   * @param location the location as given
   * @param layout the layout read
   * @param detected true when the layout was detected from the files, false when the caller chose it
   * @param source what was read: the Parquet data folder (glue) or the Iceberg metadata file (iceberg)
   * @param rows the group's features (Tidemark names, in definition order, values as SageMaker stored them), then
   *     {@code write_time}, {@code api_invocation_time} (timestamps) and {@code is_deleted} (boolean); one row per
   *     exact duplicate set. Evaluated again by each action on it.
   * @param ignoredColumns columns of the files that are no feature of the group (e.g. a collection feature left
   *     out by {@code import-sagemaker --skip-unsupported}), not read
   * @param absentCollections collection features (SageMaker names) the files have no column for: SageMaker keeps
   *     collections on its online tier only; read as null
   * @param files what pins the content read: the Parquet files (glue), or the metadata file of the snapshot read
   *     (iceberg: it names every data file)
   */
  public record Result(String group, String location, Layout layout, boolean detected, String source,
      Dataset<Row> rows, long rowsRead, long rowsKept, long duplicatesDropped, List<String> ignoredColumns,
      List<String> absentCollections, List<String> files) {
    public Result {
      ignoredColumns = List.copyOf(ignoredColumns);
      absentCollections = List.copyOf(absentCollections);
      files = List.copyOf(files);
      if (rowsRead != rowsKept + duplicatesDropped) {
        throw new IllegalStateException("count mismatch reading the SageMaker offline store of " + group + ": read "
            + rowsRead + " != kept " + rowsKept + " + duplicates dropped " + duplicatesDropped);
      }
    }

    /** One line for logs, e.g. {@code read SageMaker offline store of users (iceberg, detected) ...: read 10, ...}. */
    public String summary() {
      String s = "read SageMaker offline store of " + group + " (" + layout.cliName() + ", "
          + (detected ? "detected" : "as asked") + ") " + source + ": read " + rowsRead + ", exact duplicates dropped "
          + duplicatesDropped + ", kept " + rowsKept;
      if (!ignoredColumns.isEmpty()) {
        s += "; columns not in the definition, not read: " + String.join(", ", ignoredColumns);
      }
      if (!absentCollections.isEmpty()) {
        s += "; collection features not in the offline store (SageMaker keeps them online only), read as null: "
            + String.join(", ", absentCollections);
      }
      return s;
    }

    /** The rows kept, as history for {@code tidemark.importHistory(group).from(...)}. */
    public HistoryInput history() {
      return new HistoryInput("SageMaker offline store " + location + " (" + layout.cliName() + ")", rows, files);
    }
  }

  private SageMakerOfflineStore() {}

  /** Reads the offline store at {@code location}, detecting its layout. */
  public static Result read(SparkSession spark, FeatureGroup group, String location) {
    return read(spark, group, location, Optional.empty());
  }

  /**
   * Reads the offline store at {@code location} in the given layout (empty: detect it). Counts the rows now (one
   * pass over the files); the returned rows are read again by whoever uses them.
   *
   * @throws IllegalArgumentException when the location does not exist, holds no data, is not of the layout asked
   *     for, or its files lack a feature of the group or a metadata column, or store one with a type SageMaker
   *     would not have written for it
   */
  public static Result read(SparkSession spark, FeatureGroup group, String location, Optional<Layout> layout) {
    Located found = OfflineStoreLocator.locate(spark, location, layout);
    Dataset<Row> raw = switch (found.layout()) {
      case GLUE -> readGlue(spark, found.source());
      case ICEBERG -> readIceberg(spark, found.source());
    };
    OfflineStoreColumns mapping = OfflineStoreColumns.of(group, raw.schema(), location, found);
    Dataset<Row> named = raw.select(mapping.columns().toArray(Column[]::new));
    Dataset<Row> grouped = deduplicate(named, group);
    Row counts = grouped.agg(sum(col(DUPLICATES)), count(lit(1))).first();
    long read = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long kept = counts.getLong(1);
    if (read == 0) {
      throw new IllegalArgumentException("SageMaker offline store location '" + location + "' has no data: "
          + found.source() + " holds no rows");
    }
    Dataset<Row> rows = grouped.select(outputColumns(group).stream().map(c -> col(KEPT + "." + c).as(c))
        .toArray(Column[]::new));
    List<String> files = found.layout() == Layout.GLUE ? List.of(raw.inputFiles())
        : List.of(found.source().toString());
    return new Result(group.name(), location, found.layout(), layout.isEmpty(), found.source().toString(), rows, read,
        kept, read - kept, mapping.ignored(), mapping.absentCollections(), files);
  }

  /** The result's columns: the features (Tidemark names, definition order) and SageMaker's metadata. */
  static List<String> outputColumns(FeatureGroup group) {
    List<String> out = new ArrayList<>(group.featureNames());
    out.addAll(List.of(MetadataColumns.WRITE_TIME, MetadataColumns.API_INVOCATION_TIME, MetadataColumns.IS_DELETED));
    return out;
  }

  private static Dataset<Row> readGlue(SparkSession spark, Path data) {
    try {
      return spark.read().option("recursiveFileLookup", "true").option("mergeSchema", "true")
          .parquet(data.toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the Parquet files under " + data + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  private static Dataset<Row> readIceberg(SparkSession spark, Path metadataFile) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class.forName(ICEBERG_SOURCE, false, loader != null ? loader : SageMakerOfflineStore.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("reading an Iceberg offline store needs the Iceberg Spark runtime "
          + "(org.apache.iceberg:iceberg-spark-runtime-<spark>_<scala>) on the class path: on EMR enable Iceberg (the "
          + "iceberg-defaults classification with iceberg.enabled=true); ./tidemark and the tests have it", e);
    }
    try {
      return spark.read().format("iceberg").load(metadataFile.toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the Iceberg table of " + metadataFile + ": "
          + firstLine(e.getMessage()), e);
    }
  }

  /**
   * One row per (record id, event time, api_invocation_time) with the number of rows it stands for: the minimum of
   * (write_time, is_deleted, the other features), i.e. the earliest write, ties broken by the values.
   */
  private static Dataset<Row> deduplicate(Dataset<Row> named, FeatureGroup group) {
    List<String> keys = List.of(group.recordIdentifier(), group.eventTime(), MetadataColumns.API_INVOCATION_TIME);
    List<String> order = new ArrayList<>(List.of(MetadataColumns.WRITE_TIME, MetadataColumns.IS_DELETED));
    group.valueFeatures().forEach(f -> order.add(f.name()));
    List<Column> kept = new ArrayList<>();
    order.forEach(c -> kept.add(col(c)));
    keys.forEach(c -> kept.add(col(c)));
    return named.groupBy(keys.stream().map(c -> col(c)).toArray(Column[]::new))
        .agg(min(struct(kept.toArray(Column[]::new))).as(KEPT), count(lit(1)).as(DUPLICATES));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
