package io.tidemark.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.offline.QuarantineTable;
import io.tidemark.source.SourceReader;
import io.tidemark.transform.SqlTransform;
import io.tidemark.util.JobLabel;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The one write path of the offline store, shared by ingest and delete: read, transform, validate, then commit
 * valid rows to the offline table and the rest to the quarantine, exactly once per input.
 */
final class BatchIngest {
  private final OfflineStore store;
  private final FeatureGroup group;
  private final RowValidator.Mode mode;
  private final SourceDefinition source;
  private final boolean force;
  private final Instant apiInvocationTime;

  BatchIngest(OfflineStore store, FeatureGroup group, RowValidator.Mode mode, SourceDefinition source,
      boolean force, Instant apiInvocationTime) {
    this.store = store;
    this.group = group;
    this.mode = mode;
    this.source = source;
    this.force = force;
    this.apiInvocationTime = apiInvocationTime.truncatedTo(ChronoUnit.MICROS);
  }

  IngestResult run() {
    SparkSession spark = store.spark();
    String kind = mode == RowValidator.Mode.TOMBSTONES ? "delete" : "ingest";
    OfflineTable table = store.forGroup(group);
    BatchLedger ledger = store.ledger();
    try (JobLabel label = JobLabel.start(spark, kind, group.name() + ": read " + source.path())) {
      Optional<SqlTransform> transform = mode == RowValidator.Mode.TOMBSTONES ? Optional.empty()
          : source.transform().map(t -> SqlTransform.load(spark, t));
      Dataset<Row> raw = SourceReader.read(spark, source);
      String batchId = BatchFingerprint.of(raw.inputFiles(), spark.sparkContext().hadoopConfiguration(), group,
          transform.map(SqlTransform::file), mode, BatchFingerprint.sortedOptions(source.options()));
      Optional<BatchLedger.Entry> previous = ledger.find(group.name(), batchId);
      if (previous.isPresent() && !force) {
        BatchLedger.Entry e = previous.get();
        return new IngestResult(group.name(), kind, table.tableName(), batchId, e.rowsRead(), e.rowsWritten(),
            e.rowsQuarantined(), Map.of(), Optional.ofNullable(e.tableVersion()), true);
      }
      Dataset<Row> input = transform.map(t -> t.apply(spark, raw)).orElse(raw);
      Dataset<Row> validated = RowValidator.validate(input, group, mode).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        label.step(kind + ": " + group.name() + ": validate rows");
        Row counts = validated.agg(count(lit(1)), sum(when(size(col(RowValidator.REASONS)).gt(0), 1).otherwise(0)))
            .first();
        long read = counts.getLong(0);
        long quarantined = counts.isNullAt(1) ? 0 : counts.getLong(1);
        Map<String, Long> reasons = quarantined == 0 ? Map.of() : reasonCounts(validated);

        Instant writeInstant = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Timestamp writeTime = Timestamp.from(writeInstant);
        String appId = "tidemark-" + kind + "-" + group.name() + "-" + batchId
            + (force ? "-forced-" + writeInstant.toEpochMilli() : "");
        table.ensureRegistered();
        Optional<Long> before = table.version();
        label.step(kind + ": " + group.name() + ": write " + (read - quarantined) + " rows to " + table.tableName());
        if (read - quarantined > 0) {
          table.append(withMetadata(validated.where(size(col(RowValidator.REASONS)).equalTo(0)), writeTime),
              appId, "{\"tidemark_batch\":\"" + batchId + "\",\"kind\":\"" + kind + "\"}");
        }
        if (quarantined > 0) {
          label.step(kind + ": " + group.name() + ": quarantine " + quarantined + " rows");
          QuarantineTable q = table.quarantine();
          q.ensureRegistered();
          q.append(validated.where(size(col(RowValidator.REASONS)).gt(0)).select(
              lit(batchId).as(QuarantineTable.BATCH_ID), lit(writeTime).as(QuarantineTable.WRITE_TIME),
              lit(source.path()).as(QuarantineTable.SOURCE), col(RowValidator.REASONS).as(QuarantineTable.REASONS),
              col(RowValidator.RAW_ROW).as(QuarantineTable.RAW_ROW)), appId);
        }
        Optional<Long> after = table.version();
        boolean committedEarlier = read - quarantined > 0 && before.isPresent() && before.equals(after);
        ledger.record(new BatchLedger.Entry(group.name(), batchId, kind, source.path(), read, read - quarantined,
            quarantined, after.orElse(null), writeTime, Timestamp.from(apiInvocationTime)));
        return new IngestResult(group.name(), kind, table.tableName(), batchId, read, read - quarantined,
            quarantined, reasons, after, committedEarlier);
      } finally {
        validated.unpersist();
      }
    }
  }

  private Dataset<Row> withMetadata(Dataset<Row> valid, Timestamp writeTime) {
    return valid
        .withColumn(MetadataColumns.WRITE_TIME, lit(writeTime))
        .withColumn(MetadataColumns.API_INVOCATION_TIME, lit(Timestamp.from(apiInvocationTime)))
        .withColumn(MetadataColumns.IS_DELETED, lit(mode == RowValidator.Mode.TOMBSTONES))
        .withColumn(MetadataColumns.EVENT_DATE, to_date(col(group.eventTime())));
  }

  /** Quarantine counts by kind of problem: the reason without the offending value. */
  private static Map<String, Long> reasonCounts(Dataset<Row> validated) {
    Map<String, Long> out = new TreeMap<>();
    validated.where(size(col(RowValidator.REASONS)).gt(0))
        .select(explode(col(RowValidator.REASONS)).as("reason"))
        .select(regexp_replace(col("reason"), ": '.*'$", "").as("reason"))
        .groupBy("reason").count().collectAsList()
        .forEach(r -> out.put(r.getString(0), r.getLong(1)));
    return out;
  }
}
