package io.tidemark.offline;

import io.delta.tables.DeltaTable;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.StorageFormat;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.functions;

/**
 * A feature group's offline table: its features plus {@link MetadataColumns}, partitioned by event date,
 * registered in the catalog as {@code <database>.<group>} with feature descriptions as column comments.
 */
public final class OfflineTable {
  /** Counted rows up to this many are written by one task: a few MB, below any sensible target file size. */
  public static final long ONE_TASK_ROWS = 10_000;

  private final OfflineStore store;
  private final FeatureGroup group;

  OfflineTable(OfflineStore store, FeatureGroup group) {
    this.store = store;
    this.group = group;
  }

  public FeatureGroup group() {
    return group;
  }

  public String tableName() {
    return store.database() + "." + group.name();
  }

  public String location() {
    return store.location(group.name());
  }

  public StorageFormat format() {
    return group.offline().format();
  }

  public SideTable dataQuality() {
    return new SideTable(store, group.name(), SideTable.Kind.DATA_QUALITY);
  }

  /** Per batch and feature: the profile of the rows the batch wrote. */
  public SideTable profiles() {
    return new SideTable(store, group.name(), SideTable.Kind.PROFILE);
  }

  public SideTable quarantine() {
    return new SideTable(store, group.name(), SideTable.Kind.QUARANTINE);
  }

  /** The columns of the table in order: the features, then the metadata columns. */
  public List<String> columns() {
    List<String> cols = new ArrayList<>(group.featureNames());
    cols.addAll(List.of(MetadataColumns.WRITE_TIME, MetadataColumns.API_INVOCATION_TIME, MetadataColumns.IS_DELETED,
        MetadataColumns.EVENT_DATE));
    return cols;
  }

  public boolean exists() {
    return store.spark().catalog().tableExists(store.database(), group.name());
  }

  /**
   * Creates the database and table when missing; adds columns for features added to the definition since.
   * A feature whose type changed is an error: the history cannot be rewritten silently.
   */
  public void ensureRegistered() {
    new TableRegistration(store, this).ensure();
  }

  /**
   * Appends rows with the table's columns, laid out in right-sized files ({@link #laidOut}). For Delta,
   * {@code appId} makes the commit idempotent.
   */
  public void append(Dataset<Row> rows, String appId, String userMetadata) {
    append(rows, OptionalLong.empty(), appId, userMetadata);
  }

  /**
   * {@link #append(Dataset, String, String)} of {@code rowCount} rows, when the caller has counted them: a small
   * write ({@link #ONE_TASK_ROWS}) is laid out in one task, without a shuffle.
   */
  public void append(Dataset<Row> rows, OptionalLong rowCount, String appId, String userMetadata) {
    Dataset<Row> ordered = laidOut(rows, rowCount);
    store.withTargetFileSize(() -> {
      if (format() == StorageFormat.DELTA) {
        DeltaWrites.once(DeltaWrites.append(ordered), appId).option("userMetadata", userMetadata).save(location());
      } else {
        ordered.write().mode(SaveMode.Append).insertInto(quotedName());
      }
    });
  }

  /**
   * The rows as files should hold them: Spark's REBALANCE by event date puts each date in one task, coalesces
   * small dates into few tasks and splits a large one into parts of about the target file size (adaptive query
   * execution), so a small date is one file and a large one several; each file is sorted by event date, record id
   * and event time, so its min/max statistics let point-in-time reads of some ids skip the others. At most
   * {@link #ONE_TASK_ROWS} counted rows go through one task instead.
   */
  Dataset<Row> laidOut(Dataset<Row> rows, OptionalLong rowCount) {
    Dataset<Row> selected = rows.select(columns().stream().map(functions::col).toArray(Column[]::new));
    boolean byDate = group.offline().partitionByEventDate();
    Dataset<Row> balanced;
    if (rowCount.isPresent() && rowCount.getAsLong() <= ONE_TASK_ROWS) {
      // the same files as a rebalance gives so few rows (one per date), without a shuffle a cold JVM plans for
      balanced = selected.coalesce(1);
    } else {
      // the hint takes the attribute itself: Spark 3.5's Dataset.hint turns a Column into a literal
      balanced = byDate
          ? selected.hint("rebalance", UnresolvedAttribute.quoted(MetadataColumns.EVENT_DATE))
          : selected.hint("rebalance");
    }
    List<Column> order = new ArrayList<>();
    if (byDate) {
      order.add(functions.col(MetadataColumns.EVENT_DATE));
    }
    order.add(functions.col(group.recordIdentifier()));
    order.add(functions.col(group.eventTime()));
    return balanced.sortWithinPartitions(order.toArray(Column[]::new));
  }

  /**
   * Replaces the rows whose event time is in {@code [start, end)} with {@code rows} (Delta {@code replaceWhere}):
   * re-running a backfill of the same range gives the same table, in any order of ranges.
   */
  public void replaceRange(Dataset<Row> rows, OptionalLong rowCount, java.time.Instant start, java.time.Instant end,
      String appId, String userMetadata) {
    requireDelta("ingest --start/--end (replacing a time range)");
    String et = Sql.quote(group.eventTime());
    String predicate = et + " >= TIMESTAMP " + Sql.literal(start.toString()) + " AND " + et + " < TIMESTAMP "
        + Sql.literal(end.toString());
    if (group.offline().partitionByEventDate()) {
      // lets Delta prune partitions; implied by the event-time range
      predicate += " AND " + MetadataColumns.EVENT_DATE + " >= DATE " + Sql.literal(start.toString().substring(0, 10))
          + " AND " + MetadataColumns.EVENT_DATE + " <= DATE " + Sql.literal(end.toString().substring(0, 10));
    }
    Dataset<Row> ordered = laidOut(rows, rowCount);
    String where = predicate;
    store.withTargetFileSize(() -> DeltaWrites.once(ordered.write().format("delta").mode(SaveMode.Overwrite)
        .option("replaceWhere", where), appId).option("userMetadata", userMetadata).save(location()));
  }

  /** The whole history, as registered in the catalog. */
  public Dataset<Row> read() {
    return store.spark().table(tableName());
  }

  /** The history as of a Delta table version (time travel). */
  public Dataset<Row> readVersion(long version) {
    requireDelta("time travel");
    return store.spark().read().format("delta").option("versionAsOf", version).load(location());
  }

  /**
   * The rows versions {@code from..to} changed, from Delta's change data feed (with its {@code _change_type},
   * {@code _commit_version} and {@code _commit_timestamp} columns).
   */
  public Dataset<Row> readChanges(long from, long to) {
    requireDelta("a change data feed");
    return store.spark().read().format("delta").option("readChangeFeed", "true").option("startingVersion", from)
        .option("endingVersion", to).load(location());
  }

  /**
   * What the table holds: its rows (tombstones included), the latest event time and write time, and the Delta
   * version they were read at (empty for Parquet). One aggregation over the data.
   */
  public record Facts(long rows, Optional<java.time.Instant> lastEventTime, Optional<java.time.Instant> lastWriteTime,
      Optional<Long> version) {}

  /** The table's {@link Facts}, read at one version (a write meanwhile does not mix two). */
  public Facts facts() {
    try (io.tidemark.util.JobLabel label = io.tidemark.util.JobLabel.start(store.spark(), "describe",
        group.name() + ": rows, last event and write time of " + tableName())) {
      Optional<Long> v = format() == StorageFormat.DELTA ? version() : Optional.empty();
      Dataset<Row> rows = v.isPresent() ? readVersion(v.get()) : read();
      Row r = rows.agg(functions.count(functions.lit(1)), functions.max(functions.col(group.eventTime())),
          functions.max(functions.col(MetadataColumns.WRITE_TIME))).first();
      return new Facts(r.getLong(0), Optional.ofNullable(r.getTimestamp(1)).map(java.sql.Timestamp::toInstant),
          Optional.ofNullable(r.getTimestamp(2)).map(java.sql.Timestamp::toInstant), v);
    }
  }

  /** The current Delta version, empty for Parquet tables or before the first write. */
  public Optional<Long> version() {
    return lastCommit().map(Commit::version);
  }

  /** One commit of a Delta table, from its history: version, time, operation and metrics. */
  public record Commit(long version, java.time.Instant time, String operation, Map<String, String> metrics) {
    /** How many data files the commit added (a write's {@code numFiles}); empty when its metrics do not say. */
    public Optional<Long> filesAdded() {
      return Optional.ofNullable(metrics.getOrDefault("numFiles", metrics.get("numAddedFiles"))).map(Long::parseLong);
    }
  }

  /** The table's latest Delta commit (one read of the log's newest entry), empty for Parquet or before any. */
  public Optional<Commit> lastCommit() {
    if (format() != StorageFormat.DELTA) {
      return Optional.empty();
    }
    return DeltaCommitLog.newest(location(), store.spark().sparkContext().hadoopConfiguration());
  }

  /** Every commit Delta still has a record of, oldest first (Delta keeps delta.logRetentionDuration, 30 days). */
  public List<Commit> commits() {
    requireDelta("a table history");
    return DeltaTable.forPath(store.spark(), location()).history()
        .select("version", "timestamp", "operation", "operationMetrics").orderBy("version").collectAsList().stream()
        .map(OfflineTable::commit).toList();
  }

  /** When a version was committed (the time Delta's vacuum retention is measured against). */
  public java.time.Instant commitTime(long version) {
    requireDelta("a table history");
    // the common case, the current version, reads one commit; an older one reads the history
    Optional<Commit> last = lastCommit();
    if (last.isPresent() && last.get().version() == version) {
      return last.get().time();
    }
    return commits().stream().filter(c -> c.version() == version).findFirst().map(Commit::time)
        .orElseThrow(() -> new IllegalStateException(tableName() + " has no record of version " + version
            + " (Delta keeps the log for delta.logRetentionDuration, 30 days by default)"));
  }

  private static Commit commit(Row r) {
    Map<String, String> metrics = r.isNullAt(3) ? Map.of() : Map.copyOf(r.<String, String>getJavaMap(3));
    return new Commit(r.getLong(0), r.getTimestamp(1).toInstant(), r.getString(2), metrics);
  }

  /** This table, which must exist: maintenance and online jobs work on what ingest created. */
  public OfflineTable requireExists() {
    if (!exists()) {
      throw new IllegalStateException("group '" + group.name() + "' has no offline table " + tableName()
          + " yet; run: tidemark ingest " + group.name());
    }
    return this;
  }

  /** Fails with what needs Delta and how to switch when this is a Parquet table. */
  public void requireDelta(String what) {
    if (format() != StorageFormat.DELTA) {
      throw new UnsupportedOperationException(what + " needs a Delta offline table; " + tableName() + " is "
          + format().sparkName() + " (set offline.format: delta in " + group.file() + ")");
    }
  }

  String quotedName() {
    return Sql.quote(store.database()) + "." + Sql.quote(group.name());
  }

}
