package io.tidemark.online.materialize;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.tidemark.asof.AsOf;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.GroupLease;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.online.dynamo.OnlineTables;
import io.tidemark.online.dynamo.WriteFence;
import io.tidemark.util.JobLabel;
import java.sql.Date;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a group's latest records into its DynamoDB table: {@code tidemark.materialize("users").execute()}.
 *
 * <p>Every run first takes the group's writer lease ({@link GroupLease}), so one run at a time writes the group's
 * online tables, and every item it writes is the winner of the record's whole offline history at a version at
 * least as new as any earlier run read: no write can replace a newer item. So all writes are plain BatchWriteItem.
 *
 * <ul>
 *   <li>Full ({@link #full}, and always the first time): the latest row per id at the current offline version
 *       (the as-of core's tie-break) goes into a new table version; then the catalog alias switches to it in one
 *       conditional update and the old version is retired (deleted after the grace period). Readers never see a
 *       half-loaded table.
 *   <li>Incremental (default afterwards): only the records changed since the watermark (Delta change data feed);
 *       each is decided against its whole history, then its winner is put (or deleted, for a winning tombstone).
 *       A late row that loses to an older-written winner sends nothing. The watermark advances only after every
 *       write succeeded, so a failed run is simply re-run.
 * </ul>
 */
public final class MaterializeAction {
  private static final Logger LOG = LoggerFactory.getLogger(MaterializeAction.class);
  private static final String CHANGED_WRITE_TIME = "_tidemark_changed_write_time";
  private static final String CHANGED = "_tidemark_changed";
  /** Up to this many changed batches are named in the plan; more (rows carrying their own write times) are joined. */
  private static final int LISTED_BATCHES = 10_000;

  private final SparkSession spark;
  private final OfflineStore offline;
  private final FeatureGroup group;
  private final OnlineStore online;
  private DynamoConnection writeConnection;
  private boolean full;
  private Optional<Long> tombstonesOf = Optional.empty();
  private Optional<List<Object>> erasing = Optional.empty();
  private Clock clock = Clock.systemUTC();

  public MaterializeAction(SparkSession spark, OfflineStore offline, OnlineStore online, FeatureGroup group) {
    this.spark = spark;
    this.offline = offline;
    this.group = group;
    this.online = online;
    this.writeConnection = online.connection();
  }

  /** Reload everything into a new table version and switch the alias to it. */
  public MaterializeAction full(boolean full) {
    this.full = full;
    return this;
  }

  /**
   * Apply only the tombstones committed in one offline version (what {@code delete} just wrote) to the live table,
   * each decided against the record's history at the newest offline version: an item newer than the tombstone
   * stays. The watermark does not move; the next incremental run sees these tombstones again and rewrites the same
   * winners.
   */
  public MaterializeAction tombstonesOf(long offlineVersion) {
    this.tombstonesOf = Optional.of(offlineVersion);
    return this;
  }

  /**
   * Delete these records' items from the live table, whatever their history: an erasure ({@code erase}), whose
   * offline rows are gone. Under the group's lease like every write, so no run writes them back meanwhile.
   */
  public MaterializeAction erasing(List<?> ids) {
    this.erasing = Optional.of(List.copyOf(ids));
    return this;
  }

  /** Where the writes go (e.g. the same endpoint with SDK interceptors for metrics or fault injection). */
  public MaterializeAction writeConnection(DynamoConnection connection) {
    this.writeConnection = connection;
    return this;
  }

  /** "Now" for the catalog (retired_at, grace period). */
  public MaterializeAction clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public MaterializeResult execute() {
    long start = System.nanoTime();
    ItemSchema schema = ItemSchema.of(group);
    OfflineTable table = existingTable(offline, group);
    OnlineConfig config = online.config();
    OnlineCatalog catalog = online.catalog();
    OnlineTables tables = new OnlineTables(online.connection(), config);
    catalog.ensureTable();
    String what = erasing.isPresent() ? "erase" : tombstonesOf.map(v -> "delete (tombstones of offline v" + v + ")")
        .orElse(full ? "materialize --full" : "materialize");
    try (JobLabel label = JobLabel.start(spark, "materialize", group.name() + " -> DynamoDB");
        GroupLease lease = GroupLease.acquire(catalog, group.name(), what, clock)) {
      Optional<OnlineCatalog.Entry> entry = catalog.find(group.name());
      WriteFence fence = lease.fence(online.connection());
      Run run;
      if (erasing.isPresent()) {
        run = erase(schema, entry, erasing.get(), fence, label);
      } else if (tombstonesOf.isPresent()) {
        run = tombstones(table, schema, entry, tombstonesOf.get(), fence, label);
      } else if (full || entry.flatMap(OnlineCatalog.Entry::liveTable).isEmpty()
          || entry.flatMap(OnlineCatalog.Entry::watermark).isEmpty()) {
        run = fullLoad(table, schema, catalog, tables, entry, label, lease, fence);
      } else {
        run = incremental(table, schema, catalog, tables, entry.get(), label, lease, fence);
      }
      List<String> dropped = dropRetired(catalog, tables);
      return MaterializeResult.of(group.name(), run.mode, run.table, run.from, run.to, run.stats, dropped,
          Duration.ofNanos(System.nanoTime() - start), run.writing);
    }
  }

  /** The group's offline table, which must exist: online data comes from it. */
  static OfflineTable existingTable(OfflineStore offline, FeatureGroup group) {
    return offline.forGroup(group).requireExists();
  }

  private record Run(String mode, String table, Optional<Long> from, Optional<Long> to, WriteStats stats,
      Duration writing) {}

  private Run fullLoad(OfflineTable table, ItemSchema schema, OnlineCatalog catalog, OnlineTables tables,
      Optional<OnlineCatalog.Entry> entry, JobLabel label, GroupLease lease, WriteFence fence) {
    Optional<Long> version = table.version();
    Dataset<Row> history = version.isPresent() ? table.readVersion(version.get()) : table.read();
    if (entry.flatMap(OnlineCatalog.Entry::loadingTable).isPresent()) {
      removeAbandonedLoad(entry.get(), catalog, tables);
    }
    long previous = entry.map(OnlineCatalog.Entry::lastVersion).orElse(0L);
    long next = previous + 1;
    String name = tables.versionTable(group.name(), next);
    catalog.beginLoad(group.name(), lease.owner(), previous, name, next);
    WriteStats stats;
    long writeStart;
    try {
      tables.createGroupTable(name, schema);
      label.step("materialize: " + group.name() + ": full load of offline v" + version.map(String::valueOf)
          .orElse("(parquet)") + " into " + name);
      int tasks = OnlineWriter.tasks(spark, online.config());
      Dataset<Row> snapshot = AsOf.latestPerKey(OnlineWriter.spread(history.select(columns(schema)), schema.key(),
          tasks), schema.key(), schema.eventTimeFeature(), schema.valueNames());
      writeStart = System.nanoTime();
      stats = OnlineWriter.write(spark, snapshot, writeConnection, name, schema, true, online.config(), fence);
    } catch (Exception e) { // also Spark's SparkException, which Scala throws undeclared
      abandonLoad(catalog, tables, name, e);
      throw e;
    }
    Duration writing = Duration.ofNanos(System.nanoTime() - writeStart);
    catalog.switchLive(group.name(), lease.owner(), name, version, entry.flatMap(OnlineCatalog.Entry::liveTable),
        clock.instant());
    LOG.info("materialize {}: alias now points to {} (offline v{})", group.name(), name,
        version.map(String::valueOf).orElse("-"));
    return new Run("full", name, Optional.empty(), version, stats, writing);
  }

  /**
   * A loading table found by the lease holder belongs to a full reload that died (no other run can be loading):
   * no reader ever used it, so it is deleted.
   */
  private void removeAbandonedLoad(OnlineCatalog.Entry entry, OnlineCatalog catalog, OnlineTables tables) {
    String loading = entry.loadingTable().orElseThrow();
    LOG.info("materialize {}: deleting {}, left by a full reload that did not finish", group.name(), loading);
    tables.delete(loading);
    catalog.clearLoading(group.name(), loading);
  }

  /**
   * A full reload that failed while its process lives deletes its table, which no reader ever used, and (on
   * closing) gives its lease back at once: a re-run need not wait for it to run out. Only a process that dies
   * leaves the lease to run out.
   */
  private void abandonLoad(OnlineCatalog catalog, OnlineTables tables, String loading, Exception failure) {
    try {
      tables.delete(loading);
      catalog.clearLoading(group.name(), loading);
      LOG.info("materialize {}: the full reload into {} failed; its table is deleted",
          group.name(), loading);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private Run incremental(OfflineTable table, ItemSchema schema, OnlineCatalog catalog, OnlineTables tables,
      OnlineCatalog.Entry entry, JobLabel label, GroupLease lease, WriteFence fence) {
    long watermark = entry.watermark().orElseThrow();
    String live = entry.liveTable().orElseThrow();
    long version = table.version().orElseThrow(() -> new IllegalStateException("group " + group.name()
        + " has no Delta versions; run: tidemark materialize " + group.name() + " --full"));
    if (version < watermark) {
      throw new IllegalStateException("offline table " + table.tableName() + " is at version " + version
          + " but online table " + live + " reflects version " + watermark + ": the offline table was recreated; "
          + "run: tidemark materialize " + group.name() + " --full");
    }
    tables.checkKey(live, schema);
    if (schema.hasTtl()) {
      tables.ensureTtl(live);
    }
    if (version == watermark) {
      return new Run("incremental", live, Optional.of(watermark), Optional.of(version), WriteStats.ZERO,
          Duration.ZERO);
    }
    label.step("materialize: " + group.name() + ": changes of offline v" + (watermark + 1) + ".." + version);
    long writeStart = System.nanoTime();
    WriteStats stats = readingChanges(table, watermark + 1, version, () -> writeWinners(table, schema,
        changes(table, watermark + 1, version), lit(true), version, live, fence, label));
    Duration writing = Duration.ofNanos(System.nanoTime() - writeStart);
    catalog.advanceWatermark(group.name(), lease.owner(), live, version, clock.instant());
    return new Run("incremental", live, Optional.of(watermark), Optional.of(version), stats, writing);
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
  private WriteStats writeWinners(OfflineTable table, ItemSchema schema, Dataset<Row> changedRows, Column which,
      long version, String live, WriteFence fence, JobLabel label) {
    Row bounds = changedRows.agg(min(schema.eventTimeFeature()), count(lit(1)), min(MetadataColumns.WRITE_TIME),
        max(MetadataColumns.WRITE_TIME)).first();
    if (bounds.getLong(1) == 0) {
      return WriteStats.ZERO;
    }
    Instant earliest = ItemCodec.instant(bounds.get(0));
    // a record's winner is at least as new as its newest change: older history cannot win
    Dataset<Row> history = table.readVersion(version)
        .where(col(MetadataColumns.EVENT_DATE).geq(lit(Date.valueOf(LocalDate.ofInstant(earliest, ZoneOffset.UTC)))))
        .where(col(schema.eventTimeFeature()).geq(lit(java.sql.Timestamp.from(earliest))))
        .select(columns(schema));
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
    Dataset<Row> decided = AsOf.latestPerMarkedKey(OnlineWriter.spread(marked, schema.key(),
            OnlineWriter.tasks(spark, online.config())), schema.key(), schema.eventTimeFeature(),
        schema.valueNames(), col(CHANGED), WriteJob.FROM_CHANGES);
    label.step("materialize: " + group.name() + ": write the winners of " + bounds.getLong(1) + " changed rows to "
        + live);
    return OnlineWriter.write(spark, decided, writeConnection, live, schema, false, online.config(), fence);
  }

  private Run tombstones(OfflineTable table, ItemSchema schema, Optional<OnlineCatalog.Entry> entry, long version,
      WriteFence fence, JobLabel label) {
    Optional<String> live = entry.flatMap(OnlineCatalog.Entry::liveTable);
    if (live.isEmpty()) {
      return new Run("tombstones", "(not materialized)", Optional.empty(), entry.flatMap(
          OnlineCatalog.Entry::watermark), WriteStats.ZERO, Duration.ZERO);
    }
    // decided at the newest version: an earlier run may have written winners of versions after the tombstones'
    long newest = table.version().orElseThrow();
    long writeStart = System.nanoTime();
    label.step("materialize: " + group.name() + ": tombstones of offline v" + version);
    WriteStats stats = readingChanges(table, version, version, () -> writeWinners(table, schema,
        changes(table, version, version).where(col(MetadataColumns.IS_DELETED)), col(MetadataColumns.IS_DELETED),
        newest, live.get(), fence, label));
    return new Run("tombstones", live.get(), Optional.empty(), Optional.of(version), stats,
        Duration.ofNanos(System.nanoTime() - writeStart));
  }

  private Run erase(ItemSchema schema, Optional<OnlineCatalog.Entry> entry, List<Object> ids, WriteFence fence,
      JobLabel label) {
    Optional<String> live = entry.flatMap(OnlineCatalog.Entry::liveTable);
    if (live.isEmpty()) {
      return new Run("erase", "(not materialized)", Optional.empty(), Optional.empty(), WriteStats.ZERO,
          Duration.ZERO);
    }
    label.step("materialize: " + group.name() + ": erase " + ids.size() + " records from " + live.get());
    long writeStart = System.nanoTime();
    long deleted = 0;
    software.amazon.awssdk.services.dynamodb.DynamoDbClient client = online.connection().reader();
    for (Object id : ids) {
      fence.check();
      Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> old = client.deleteItem(b -> b
          .tableName(live.get()).key(Map.of(schema.key(), ItemCodec.key(schema, id)))
          .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD)).attributes();
      deleted += old == null || old.isEmpty() ? 0 : 1;
    }
    return new Run("erase", live.get(), Optional.empty(), entry.flatMap(OnlineCatalog.Entry::watermark),
        new WriteStats(deleted, 0, 0, deleted, 0, 0, ids.size(), List.of()), // records: the items that existed
        Duration.ofNanos(System.nanoTime() - writeStart));
  }

  /** Rows appended in offline versions {@code from..to} (the offline store is append-only). */
  private Dataset<Row> changes(OfflineTable table, long from, long to) {
    return spark.read().format("delta").option("readChangeFeed", "true").option("startingVersion", from)
        .option("endingVersion", to).load(table.location())
        .where(col("_change_type").isin("insert", "update_postimage"));
  }

  /**
   * Runs {@code load} over the changes of versions {@code from..to}, telling the user to reload in full when Delta
   * cannot give them: the feed was off, or the versions' log or change files are gone (vacuumed, expired). Delta
   * reports that at the first Spark action over the changes, not when they are defined.
   */
  private <T> T readingChanges(OfflineTable table, long from, long to, java.util.function.Supplier<T> load) {
    try {
      return load.get();
    } catch (Exception e) { // also Spark's AnalysisException, which Scala throws undeclared
      if (e instanceof AnalysisException || e instanceof org.apache.spark.sql.delta.DeltaThrowable) {
        throw new IllegalStateException("cannot read the change data feed of " + table.tableName() + " for versions "
            + from + ".." + to + " (" + e.getMessage() + "); run: tidemark materialize " + group.name()
            + " --full", e);
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
  }

  private static Column[] columns(ItemSchema schema) {
    List<Column> cols = new ArrayList<>();
    cols.add(col(schema.key()));
    cols.add(col(schema.eventTimeFeature()));
    cols.add(col(MetadataColumns.WRITE_TIME));
    cols.add(col(MetadataColumns.IS_DELETED));
    schema.valueNames().forEach(v -> cols.add(col(v)));
    return cols.toArray(Column[]::new);
  }

  /** Deletes replaced tables whose grace period has ended. */
  private List<String> dropRetired(OnlineCatalog catalog, OnlineTables tables) {
    Optional<OnlineCatalog.Entry> entry = catalog.find(group.name());
    if (entry.isEmpty() || entry.get().retired().isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant();
    List<String> dropped = new ArrayList<>();
    List<OnlineCatalog.Retired> keep = new ArrayList<>();
    for (OnlineCatalog.Retired r : entry.get().retired()) {
      if (!r.retiredAt().plus(online.config().gracePeriod()).isAfter(now)) {
        tables.delete(r.table());
        dropped.add(r.table());
      } else {
        keep.add(r);
      }
    }
    if (!dropped.isEmpty()) {
      catalog.keepRetired(group.name(), keep);
      LOG.info("materialize {}: deleted replaced tables {} (grace period {} over)", group.name(), dropped,
          online.config().gracePeriod());
    }
    return dropped;
  }
}
