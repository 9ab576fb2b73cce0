package io.tidemark.maintenance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import io.tidemark.action.BaseAction;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.util.JobLabel;
import io.tidemark.util.SessionSettings;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;

/**
 * Compacts a group's offline files: Delta OPTIMIZE with Z-order by the record identifier, per event date, so a date
 * that several batches wrote (one file each) becomes files of about {@code offline.target_file_size} whose record-id
 * ranges do not overlap, which point-in-time reads of some ids skip by their statistics.
 * {@code tidemark.optimize("users").execute()}.
 *
 * <p>Only the event dates that need it are rewritten: a date needs compaction when it has more files than its bytes
 * need at the target size (more than one, and more than {@code ceil(bytes / target)}). A date already in one file
 * is left alone (Tidemark writes each file sorted by record id), and so is one already compacted, so a daily run
 * rewrites only the dates that received files since. The commit changes no data (Delta records it with
 * {@code dataChange=false}): the rows, the change data feed and incremental online loads are unaffected. The files
 * it replaces stay on storage, readable by time travel, until {@code vacuum} deletes them.
 */
public final class OptimizeAction extends BaseAction<OptimizeAction, OptimizeResult> {
  private final OfflineStore store;
  private final FeatureGroup group;

  public OptimizeAction(SparkSession spark, OfflineStore store, FeatureGroup group) {
    super(spark);
    this.store = store;
    this.group = group;
  }

  /** Files and bytes of one event date (null for a table not partitioned by date). */
  private record DateFiles(String date, long files, long bytes) {
    boolean needsCompaction(long target) {
      return files > Math.max(1, (bytes + target - 1) / target);
    }
  }

  @Override
  protected String name() {
    return "optimize";
  }

  @Override
  protected String description() {
    return store.forGroup(group).tableName() + ": z-order by " + group.recordIdentifier();
  }

  @Override
  protected OptimizeResult run(JobLabel job) {
    OfflineTable table = store.forGroup(group).requireExists();
    table.requireDelta("optimize");
    String id = group.recordIdentifier();
    job.step("optimize: " + table.tableName() + ": files per event date");
    long before = table.version().orElseThrow();
    List<DateFiles> dates = dateFiles(table);
    List<String> compact = new ArrayList<>();
    dates.stream().filter(d -> d.needsCompaction(store.targetFileBytes()))
        .forEach(d -> compact.add(d.date() == null ? "*" : d.date()));
    long rightSized = dates.size() - compact.size();
    if (compact.isEmpty()) {
      return new OptimizeResult(group.name(), table.tableName(), id, before, before, List.of(), rightSized, 0, 0,
          0, 0);
    }
    job.step("optimize: " + table.tableName() + ": z-order " + compact.size() + " event dates by " + id);
    DeltaOptimizeBuilder builder = DeltaTable.forPath(spark, table.location()).optimize();
    if (group.offline().partitionByEventDate()) {
      builder = builder.where(MetadataColumns.EVENT_DATE + " IN (" + String.join(", ", compact.stream()
          .map(Sql::literal).toList()) + ")");
    }
    Map<String, String> settings = new HashMap<>(store.targetFileSizeSettings());
    // Delta sizes OPTIMIZE's files by this (default 1 GB); Tidemark's files by offline.target_file_size
    settings.put("spark.databricks.delta.optimize.maxFileSize", String.valueOf(store.targetFileBytes()));
    DeltaOptimizeBuilder optimize = builder;
    Row metrics = SessionSettings.with(spark, settings, () -> optimize.executeZOrderBy(id).first()).getStruct(1);
    // the newest commit is the optimize's unless another writer committed since: only then read the history
    long after = table.lastCommit().filter(c -> c.operation().equals("OPTIMIZE")).map(OfflineTable.Commit::version)
        .orElseGet(() -> table.commits().stream().filter(c -> c.version() > before
            && c.operation().equals("OPTIMIZE")).mapToLong(OfflineTable.Commit::version).max().orElse(before));
    Row added = metrics.getAs("filesAdded");
    Row removed = metrics.getAs("filesRemoved");
    return new OptimizeResult(group.name(), table.tableName(), id, before, after, compact, rightSized,
        metrics.<Long>getAs("numFilesRemoved"), metrics.<Long>getAs("numFilesAdded"),
        removed.<Long>getAs("totalSize"), added.<Long>getAs("totalSize"));
  }

  /**
   * The current version's data files per event date, from the Delta log (no data file is opened). Delta's
   * {@code DeltaLog} is not public API, but it is the only way to the file list without reading the files; it is
   * the same call on Delta 3.3 and 4.0.
   */
  private List<DateFiles> dateFiles(OfflineTable table) {
    boolean byDate = group.offline().partitionByEventDate();
    Column date = byDate ? col("partitionValues").getItem(MetadataColumns.EVENT_DATE) : lit(null).cast("string");
    return DeltaLog.forTableWithSnapshot(spark, table.location())._2().allFiles().toDF()
        .groupBy(date.as("date")).agg(count(lit(1)), sum(col("size"))).orderBy("date").collectAsList().stream()
        .map(r -> new DateFiles(r.getString(0), r.getLong(1), r.getLong(2))).toList();
  }
}
