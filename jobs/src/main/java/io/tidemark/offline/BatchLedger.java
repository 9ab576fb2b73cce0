package io.tidemark.offline;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Delta table (under the offline root, not in the catalog) recording every committed batch: which input,
 * how many rows went where, and the table version it produced. It makes re-runs of the same input no-ops and
 * is the ingest history {@code groups describe} shows.
 */
public final class BatchLedger {
  public static final StructType SCHEMA = new StructType()
      .add("group_name", DataTypes.StringType, false)
      .add("batch_id", DataTypes.StringType, false)
      .add("kind", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, true)
      .add("rows_read", DataTypes.LongType, false)
      .add("rows_written", DataTypes.LongType, false)
      .add("rows_quarantined", DataTypes.LongType, false)
      .add("table_version", DataTypes.LongType, true)
      .add("write_time", DataTypes.TimestampType, false)
      .add("api_invocation_time", DataTypes.TimestampType, false);

  /** One committed batch. */
  public record Entry(String group, String batchId, String kind, String source, long rowsRead, long rowsWritten,
      long rowsQuarantined, Long tableVersion, Timestamp writeTime, Timestamp apiInvocationTime) {}

  private final SparkSession spark;
  private final String location;

  BatchLedger(SparkSession spark, String location) {
    this.spark = spark;
    this.location = location;
  }

  /** The batch, if committed; filtered in Spark, so a long ledger is never collected to the driver. */
  public Optional<Entry> find(String group, String batchId) {
    return findAny(group, List.of(batchId));
  }

  /** The first of {@code batchIds} (in their order) that was committed, in one read of the ledger. */
  public Optional<Entry> findAny(String group, List<String> batchIds) {
    List<Entry> found = query(functions.col("group_name").equalTo(group)
        .and(functions.col("batch_id").isin(batchIds.toArray())));
    return batchIds.stream().flatMap(id -> found.stream().filter(e -> e.batchId().equals(id)).limit(1)).findFirst();
  }

  /** The group's batches, newest first. */
  public List<Entry> entries(String group) {
    return query(functions.col("group_name").equalTo(group));
  }

  private List<Entry> query(org.apache.spark.sql.Column condition) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return List.of();
    }
    return spark.read().format("delta").load(location).where(condition)
        .orderBy(functions.col("write_time").desc()).collectAsList().stream().map(BatchLedger::toEntry).toList();
  }

  public void record(Entry e) {
    Row row = RowFactory.create(e.group(), e.batchId(), e.kind(), e.source(), e.rowsRead(), e.rowsWritten(),
        e.rowsQuarantined(), e.tableVersion(), e.writeTime(), e.apiInvocationTime());
    spark.createDataFrame(List.of(row), SCHEMA).coalesce(1).write().format("delta").mode(SaveMode.Append)
        .save(location);
  }

  private static Entry toEntry(Row r) {
    return new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
        r.getLong(6), r.isNullAt(7) ? null : r.getLong(7), r.getTimestamp(8), r.getTimestamp(9));
  }
}
