package io.tidemark.offline;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
 *
 * <p>Looking a batch up reads an index beside it, one small JSON file per batch ({@code index/<group>/<batch>.json}),
 * not the table: a query of the table costs a Delta snapshot and a scan of one data file per batch ever
 * recorded, which made the lookup most of a small ingest's time. A group's index is built from the table once,
 * the first time the group is looked up ({@code _indexed} marks it complete); the table stays the record.
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
      .add("api_invocation_time", DataTypes.TimestampType, false)
      // lineage (added later: rows written before have nulls here)
      .add("inputs", DataTypes.createArrayType(DataTypes.StringType, false), true)
      .add("transform", DataTypes.StringType, true)
      .add("transform_sha256", DataTypes.StringType, true);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COMPLETE = "_indexed";

  /**
   * One committed batch.
   *
   * @param inputs the files the batch read (lineage; empty when recorded before lineage was kept, and in the index)
   * @param transform the SQL transform file applied, if any, and {@code transformSha256} its content's hash
   */
  public record Entry(String group, String batchId, String kind, String source, long rowsRead, long rowsWritten,
      long rowsQuarantined, Long tableVersion, Timestamp writeTime, Timestamp apiInvocationTime, List<String> inputs,
      Optional<String> transform, Optional<String> transformSha256) {
    public Entry {
      inputs = List.copyOf(inputs);
    }
  }

  /** An entry as its index file holds it (instants as ISO-8601 text). */
  private record IndexEntry(String group, String batchId, String kind, String source, long rowsRead,
      long rowsWritten, long rowsQuarantined, Long tableVersion, String writeTime, String apiInvocationTime) {
    static IndexEntry of(Entry e) {
      return new IndexEntry(e.group(), e.batchId(), e.kind(), e.source(), e.rowsRead(), e.rowsWritten(),
          e.rowsQuarantined(), e.tableVersion(), e.writeTime().toInstant().toString(),
          e.apiInvocationTime().toInstant().toString());
    }

    Entry entry() {
      // the index serves lookups: the lineage fields stay in the table
      return new Entry(group, batchId, kind, source, rowsRead, rowsWritten, rowsQuarantined, tableVersion,
          Timestamp.from(Instant.parse(writeTime)), Timestamp.from(Instant.parse(apiInvocationTime)), List.of(),
          Optional.empty(), Optional.empty());
    }
  }

  private final SparkSession spark;
  private final String location;

  BatchLedger(SparkSession spark, String location) {
    this.spark = spark;
    this.location = location;
  }

  /** The batch, if committed. */
  public Optional<Entry> find(String group, String batchId) {
    return findAny(group, List.of(batchId));
  }

  /** The first of {@code batchIds} (in their order) that was committed: a read of at most one file each. */
  public Optional<Entry> findAny(String group, List<String> batchIds) {
    Path dir = indexDir(group);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(new Path(dir, COMPLETE))) {
        buildIndex(fs, group);
      }
      for (String id : batchIds) {
        Path file = indexFile(group, id);
        if (fs.exists(file)) {
          try (InputStream in = fs.open(file)) {
            return Optional.of(JSON.readValue(in, IndexEntry.class).entry());
          } catch (JacksonException cutShort) {
            // a file a crash cut short: the table, written first, has the entry
            return entries(group).stream().filter(e -> e.batchId().equals(id)).findFirst();
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the batch ledger's index at " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The group's batches, newest first (a query of the table). */
  public List<Entry> entries(String group) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return List.of();
    }
    return spark.read().format("delta").load(location).where(functions.col("group_name").equalTo(group))
        .orderBy(functions.col("write_time").desc()).collectAsList().stream().map(BatchLedger::toEntry).toList();
  }

  /** Records a committed batch: in the table, then in the index (a batch recorded again replaces its file). */
  public void record(Entry e) {
    Row row = RowFactory.create(e.group(), e.batchId(), e.kind(), e.source(), e.rowsRead(), e.rowsWritten(),
        e.rowsQuarantined(), e.tableVersion(), e.writeTime(), e.apiInvocationTime(),
        e.inputs().toArray(String[]::new), e.transform().orElse(null), e.transformSha256().orElse(null));
    // mergeSchema: a ledger written before the lineage columns gains them
    spark.createDataFrame(List.of(row), SCHEMA).coalesce(1).write().format("delta").mode(SaveMode.Append)
        .option("mergeSchema", "true").save(location);
    Path file = indexFile(e.group(), e.batchId());
    try {
      writeIndexFile(file.getFileSystem(spark.sparkContext().hadoopConfiguration()), file, e);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the batch ledger's index file " + file + ": " + ex.getMessage(),
          ex);
    }
  }

  /** The group's index from the table's entries (the newest of a batch recorded twice), then its mark. */
  private void buildIndex(FileSystem fs, String group) throws IOException {
    List<Entry> all = entries(group);
    for (int i = all.size() - 1; i >= 0; i--) {
      writeIndexFile(fs, indexFile(group, all.get(i).batchId()), all.get(i));
    }
    fs.create(new Path(indexDir(group), COMPLETE), true).close();
  }

  private static void writeIndexFile(FileSystem fs, Path file, Entry e) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(JSON.writeValueAsBytes(IndexEntry.of(e)));
    }
  }

  private Path indexDir(String group) {
    return new Path(location + "_index/" + group);
  }

  private Path indexFile(String group, String batchId) {
    return new Path(indexDir(group), batchId + ".json");
  }

  private static Entry toEntry(Row r) {
    boolean lineage = java.util.Arrays.asList(r.schema().fieldNames()).contains("inputs");
    List<String> inputs = !lineage || r.isNullAt(r.fieldIndex("inputs")) ? List.of() : r.getList(r.fieldIndex("inputs"));
    return new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
        r.getLong(6), r.isNullAt(7) ? null : r.getLong(7), r.getTimestamp(8), r.getTimestamp(9), inputs,
        lineage ? Optional.ofNullable(r.getString(r.fieldIndex("transform"))) : Optional.empty(),
        lineage ? Optional.ofNullable(r.getString(r.fieldIndex("transform_sha256"))) : Optional.empty());
  }
}
