package io.tidemark.online.materialize;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.tidemark.asof.AsOf;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import java.sql.Date;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Loads of what changed offline, into the live table: the records changed since the watermark (incremental), or
 * the tombstones one offline version holds (right after a delete). Each changed record is decided against its whole
 * history (Delta change data feed for what changed, time travel for the history); its winner is put, or deleted for
 * a winning tombstone. A late row that loses to an older-written winner sends nothing.
 */
final class ChangesLoad {
  private static final String CHANGED_WRITE_TIME = "_tidemark_changed_write_time";
  private static final String CHANGED = "_tidemark_changed";
  /** Up to this many changed batches are named in the plan; more (rows carrying their own write times) are joined. */
  private static final int LISTED_BATCHES = 10_000;

  private ChangesLoad() {}

  /** The changes since the watermark; the watermark advances only after every write succeeded. */
  static LoadContext.Run incremental(LoadContext c) {
    String group = c.group().name();
    OnlineCatalog.Entry entry = c.entry().orElseThrow();
    long watermark = entry.watermark().orElseThrow();
    String live = entry.liveTable().orElseThrow();
    long version = c.table().version().orElseThrow(() -> new IllegalStateException("group " + group
        + " has no Delta versions; run: tidemark materialize " + group + " --full"));
    if (version < watermark) {
      throw new IllegalStateException("offline table " + c.table().tableName() + " is at version " + version
          + " but online table " + live + " reflects version " + watermark + ": the offline table was recreated; "
          + "run: tidemark materialize " + group + " --full");
    }
    c.tables().checkKey(live, c.schema());
    if (c.schema().hasTtl()) {
      c.tables().ensureTtl(live);
    }
    if (version == watermark) {
      return new LoadContext.Run("incremental", live, Optional.of(watermark), Optional.of(version), WriteStats.ZERO,
          Duration.ZERO);
    }
    c.label().step("materialize: " + group + ": changes of offline v" + (watermark + 1) + ".." + version);
    long writeStart = System.nanoTime();
    WriteStats stats = readingChanges(c, watermark + 1, version, () -> writeWinners(c,
        changes(c.table(), watermark + 1, version), lit(true), version, live));
    Duration writing = Duration.ofNanos(System.nanoTime() - writeStart);
    c.catalog().advanceWatermark(group, c.lease().owner(), live, version, c.clock().instant());
    return new LoadContext.Run("incremental", live, Optional.of(watermark), Optional.of(version), stats, writing);
  }

  /**
   * The tombstones committed in offline {@code version}, each decided against the record's history at the newest
   * offline version: an earlier run may have written winners of versions after the tombstones'. The watermark does
   * not move.
   */
  static LoadContext.Run tombstones(LoadContext c, long version) {
    Optional<String> live = c.entry().flatMap(OnlineCatalog.Entry::liveTable);
    if (live.isEmpty()) {
      return new LoadContext.Run("tombstones", "(not materialized)", Optional.empty(), c.entry().flatMap(
          OnlineCatalog.Entry::watermark), WriteStats.ZERO, Duration.ZERO);
    }
    long newest = c.table().version().orElseThrow();
    long writeStart = System.nanoTime();
    c.label().step("materialize: " + c.group().name() + ": tombstones of offline v" + version);
    WriteStats stats = readingChanges(c, version, version, () -> writeWinners(c,
        changes(c.table(), version, version).where(col(MetadataColumns.IS_DELETED)), col(MetadataColumns.IS_DELETED),
        newest, live.get()));
    return new LoadContext.Run("tombstones", live.get(), Optional.empty(), Optional.of(version), stats,
        Duration.ofNanos(System.nanoTime() - writeStart));
  }

  /**
   * Decides each record that has rows among {@code changedRows} against its history at offline {@code version}
   * and writes the winners that come from the changes to {@code live}: a put, or a delete for a winning tombstone.
   * A record whose winner is older than its changes (a late row) sends nothing.
   *
   * <p>One light pass over the changes (their earliest event time, and the write times of their batches), then one
   * aggregation of the history from that time on: a row marks its record as changed when it is one of the changes
   * ({@code which}) and its write_time is one of theirs (one per batch). An older row counted as changed because it
   * shares a write time could only make its record's winner be written again, which is always right: every winner
   * comes from the whole history.
   */
  private static WriteStats writeWinners(LoadContext c, Dataset<Row> changedRows, Column which, long version,
      String live) {
    ItemSchema schema = c.schema();
    Row bounds = changedRows.agg(min(schema.eventTimeFeature()), count(lit(1)), min(MetadataColumns.WRITE_TIME),
        max(MetadataColumns.WRITE_TIME)).first();
    if (bounds.getLong(1) == 0) {
      return WriteStats.ZERO;
    }
    Instant earliest = ItemCodec.instant(bounds.get(0));
    // a record's winner is at least as new as its newest change: older history cannot win
    Dataset<Row> history = c.table().readVersion(version)
        .where(col(MetadataColumns.EVENT_DATE).geq(lit(Date.valueOf(LocalDate.ofInstant(earliest, ZoneOffset.UTC)))))
        .where(col(schema.eventTimeFeature()).geq(lit(java.sql.Timestamp.from(earliest))))
        .select(c.itemColumns());
    // the batches' write times: usually one (min = max), else listed when few, else joined
    List<Object> times = bounds.get(2).equals(bounds.get(3)) ? List.of(bounds.get(2))
        : changedRows.select(MetadataColumns.WRITE_TIME).distinct().limit(LISTED_BATCHES + 1).collectAsList()
            .stream().map(r -> r.get(0)).toList();
    Dataset<Row> marked;
    if (times.size() <= LISTED_BATCHES) {
      marked = history.withColumn(CHANGED, col(MetadataColumns.WRITE_TIME).isin(times.toArray()).and(which));
    } else {
      Dataset<Row> batches = changedRows.select(col(MetadataColumns.WRITE_TIME).as(CHANGED_WRITE_TIME)).distinct()
          .withColumn(CHANGED, lit(true));
      marked = history.join(batches, col(MetadataColumns.WRITE_TIME).equalTo(col(CHANGED_WRITE_TIME)), "left_outer")
          .withColumn(CHANGED, coalesce(col(CHANGED), lit(false)).and(which))
          .drop(CHANGED_WRITE_TIME);
    }
    Dataset<Row> decided = AsOf.latestPerMarkedKey(c.spread(marked), schema.key(), schema.eventTimeFeature(),
        schema.valueNames(), col(CHANGED), WriteJob.FROM_CHANGES);
    c.label().step("materialize: " + c.group().name() + ": write the winners of " + bounds.getLong(1)
        + " changed rows to " + live);
    return c.write(decided, live, false);
  }

  /** Rows appended in offline versions {@code from..to} (the offline store is append-only). */
  private static Dataset<Row> changes(OfflineTable table, long from, long to) {
    return table.readChanges(from, to).where(col("_change_type").isin("insert", "update_postimage"));
  }

  /**
   * Runs {@code load} over the changes of versions {@code from..to}, telling the user to reload in full when Delta
   * cannot give them: the feed was off, or the versions' log or change files are gone (vacuumed, expired). Delta
   * reports that at the first Spark action over the changes, not when they are defined.
   */
  private static <T> T readingChanges(LoadContext c, long from, long to, Supplier<T> load) {
    try {
      return load.get();
    } catch (Exception e) { // also Spark's AnalysisException, which Scala throws undeclared
      if (e instanceof AnalysisException || e instanceof org.apache.spark.sql.delta.DeltaThrowable) {
        throw new IllegalStateException("cannot read the change data feed of " + c.table().tableName()
            + " for versions " + from + ".." + to + " (" + e.getMessage() + "); run: tidemark materialize "
            + c.group().name() + " --full", e);
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
  }
}
