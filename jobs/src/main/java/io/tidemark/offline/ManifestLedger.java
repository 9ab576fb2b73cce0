package io.tidemark.offline;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Where training-set manifests are, and which offline table version each one read: a Delta table under the offline
 * root ({@code _tidemark/manifests}, not in the catalog), one row per group a training set read. A manifest's row
 * <em>pins</em> that version: {@code vacuum} never deletes files a pinned version needs (see
 * {@link io.tidemark.maintenance.VacuumAction}). Rows are appended when a build starts reading, before its output
 * and manifest are written, so a build that dies leaves a row whose manifest does not exist; vacuum checks the
 * manifest itself before it counts a pin.
 */
public final class ManifestLedger {
  public static final StructType SCHEMA = new StructType()
      .add("database", DataTypes.StringType, false)
      .add("group_name", DataTypes.StringType, false)
      .add("delta_version", DataTypes.LongType, true)
      .add("version_time", DataTypes.TimestampType, true)
      .add("manifest", DataTypes.StringType, false)
      .add("output", DataTypes.StringType, false)
      .add("created_at", DataTypes.TimestampType, false)
      // lineage (added later: rows written before have nulls here)
      .add("features", DataTypes.createArrayType(DataTypes.StringType, false), true)
      .add("spine", DataTypes.StringType, true);

  /**
   * One group read by one training set.
   *
   * @param deltaVersion the offline table version read (empty for a Parquet offline table: nothing to pin)
   * @param versionTime that version's commit time (what Delta's vacuum retention is measured against)
   * @param manifest the manifest's qualified path ({@code file:/...}, {@code s3a://...})
   * @param createdAt when the build started
   * @param features the group's features the training set took (empty when recorded before lineage was kept)
   * @param spine the spine read (a path or a table), empty when recorded before lineage was kept
   */
  public record Pin(String database, String group, Optional<Long> deltaVersion, Optional<Instant> versionTime,
      String manifest, String output, Instant createdAt, List<String> features, Optional<String> spine) {
    public Pin {
      features = List.copyOf(features);
    }
  }

  private final SparkSession spark;
  private final String location;

  ManifestLedger(SparkSession spark, String location) {
    this.spark = spark;
    this.location = location;
  }

  public String location() {
    return location;
  }

  /** A path as the ledger records it: qualified ({@code file:/abs/...}, {@code s3a://bucket/...}). */
  public String qualify(String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + path, e);
    }
  }

  /** Appends the pins of one build (one row per group it reads). */
  public void record(List<Pin> pins) {
    List<Row> rows = pins.stream().map(p -> RowFactory.create(p.database(), p.group(), p.deltaVersion().orElse(null),
        p.versionTime().map(Timestamp::from).orElse(null), p.manifest(), p.output(), Timestamp.from(p.createdAt()),
        p.features().toArray(String[]::new), p.spine().orElse(null))).toList();
    // mergeSchema: a ledger written before the lineage columns gains them
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().format("delta").mode(SaveMode.Append)
        .option("mergeSchema", "true").save(location);
  }

  /** Every pin of the database's groups (every group read by every training set), oldest build first. */
  public List<Pin> all(String database) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return List.of();
    }
    return spark.read().format("delta").load(location).where(col("database").equalTo(database))
        .orderBy(col("created_at"), col("manifest"), col("group_name")).collectAsList().stream()
        .map(ManifestLedger::toPin).toList();
  }

  /** The pins of a group's offline table, oldest version first. */
  public List<Pin> pins(String database, String group) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return List.of();
    }
    return spark.read().format("delta").load(location).where(of(database, group))
        .orderBy(col("delta_version"), col("manifest")).collectAsList().stream().map(ManifestLedger::toPin).toList();
  }

  /** Removes a manifest's pins of a group; returns how many rows there were. */
  public long forget(String database, String group, String manifest) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return 0;
    }
    Column which = of(database, group).and(col("manifest").equalTo(manifest));
    long rows = spark.read().format("delta").load(location).where(which).count();
    if (rows > 0) {
      DeltaTable.forPath(spark, location).delete(which);
    }
    return rows;
  }

  private static Column of(String database, String group) {
    return col("database").equalTo(database).and(col("group_name").equalTo(group));
  }

  private static Pin toPin(Row r) {
    boolean lineage = java.util.Arrays.asList(r.schema().fieldNames()).contains("features");
    List<String> features = !lineage || r.isNullAt(r.fieldIndex("features")) ? List.of()
        : r.getList(r.fieldIndex("features"));
    Optional<String> spine = lineage ? Optional.ofNullable(r.getString(r.fieldIndex("spine"))) : Optional.empty();
    return new Pin(r.getString(0), r.getString(1), r.isNullAt(2) ? Optional.empty() : Optional.of(r.getLong(2)),
        r.isNullAt(3) ? Optional.empty() : Optional.of(r.getTimestamp(3).toInstant()), r.getString(4), r.getString(5),
        r.getTimestamp(6).toInstant(), features, spine);
  }
}
