package io.tidemark.online.materialize;

import io.tidemark.action.BaseAction;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.dynamo.DynamoConnection;
import io.tidemark.online.dynamo.GroupLease;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.online.dynamo.OnlineConfig;
import io.tidemark.online.dynamo.OnlineTables;
import io.tidemark.util.JobLabel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Loads a group's latest records into its DynamoDB table: {@code tidemark.materialize("users").execute()}.
 *
 * <p>Every run first takes the group's writer lease ({@link GroupLease}), so one run at a time writes the group's
 * online tables, and every item it writes is the winner of the record's whole offline history at a version at
 * least as new as any earlier run read: no write can replace a newer item. So all writes are plain BatchWriteItem.
 *
 * <ul>
 *   <li>Full ({@link #full}, and always the first time): {@link FullLoad}, a new table version behind the alias.
 *   <li>Incremental (default afterwards): {@link ChangesLoad#incremental}, the records changed since the watermark.
 *   <li>Tombstones of one offline version ({@link #tombstonesOf}, after a delete): {@link ChangesLoad#tombstones}.
 *   <li>Erasure ({@link #erasing}): the records' items deleted, whatever their history.
 * </ul>
 * Replaced table versions whose grace period ended are deleted at the end of every run.
 */
public final class MaterializeAction extends BaseAction<MaterializeAction, MaterializeResult> {
  private static final Logger LOG = LoggerFactory.getLogger(MaterializeAction.class);

  private final OfflineStore offline;
  private final FeatureGroup group;
  private final OnlineStore online;
  private DynamoConnection writeConnection;
  private boolean full;
  private Optional<Long> tombstonesOf = Optional.empty();
  private Optional<List<Object>> erasing = Optional.empty();
  private Clock clock = Clock.systemUTC();

  public MaterializeAction(SparkSession spark, OfflineStore offline, OnlineStore online, FeatureGroup group) {
    super(spark);
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

  @Override
  protected String name() {
    return "materialize";
  }

  @Override
  protected String description() {
    return group.name() + " -> DynamoDB";
  }

  @Override
  protected MaterializeResult run(JobLabel label) {
    long start = System.nanoTime();
    ItemSchema schema = ItemSchema.of(group);
    OfflineTable table = existingTable(offline, group);
    OnlineConfig config = online.config();
    OnlineCatalog catalog = online.catalog();
    OnlineTables tables = new OnlineTables(online.connection(), config);
    catalog.ensureTable();
    String what = erasing.isPresent() ? "erase" : tombstonesOf.map(v -> "delete (tombstones of offline v" + v + ")")
        .orElse(full ? "materialize --full" : "materialize");
    try (GroupLease lease = GroupLease.acquire(catalog, group.name(), what, clock)) {
      Optional<OnlineCatalog.Entry> entry = catalog.find(group.name());
      LoadContext c = new LoadContext(spark, group, table, schema, config, catalog, tables, entry, lease,
          lease.fence(online.connection()), writeConnection, label, clock);
      LoadContext.Run run;
      if (erasing.isPresent()) {
        run = erase(c, erasing.get());
      } else if (tombstonesOf.isPresent()) {
        run = ChangesLoad.tombstones(c, tombstonesOf.get());
      } else if (full || entry.flatMap(OnlineCatalog.Entry::liveTable).isEmpty()
          || entry.flatMap(OnlineCatalog.Entry::watermark).isEmpty()) {
        run = FullLoad.run(c);
      } else {
        run = ChangesLoad.incremental(c);
      }
      List<String> dropped = dropRetired(catalog, tables);
      return MaterializeResult.of(group.name(), run.mode(), run.table(), run.from(), run.to(), run.stats(), dropped,
          Duration.ofNanos(System.nanoTime() - start), run.writing());
    }
  }

  /** The group's offline table, which must exist: online data comes from it. */
  static OfflineTable existingTable(OfflineStore offline, FeatureGroup group) {
    return offline.forGroup(group).requireExists();
  }

  /** Deletes the erased records' items from the live table, whatever their history (their offline rows are gone). */
  private LoadContext.Run erase(LoadContext c, List<Object> ids) {
    Optional<String> live = c.entry().flatMap(OnlineCatalog.Entry::liveTable);
    if (live.isEmpty()) {
      return new LoadContext.Run("erase", "(not materialized)", Optional.empty(), Optional.empty(),
          WriteStats.ZERO, Duration.ZERO);
    }
    c.label().step("materialize: " + group.name() + ": erase " + ids.size() + " records from " + live.get());
    long writeStart = System.nanoTime();
    long deleted = 0;
    DynamoDbClient client = online.connection().reader();
    for (Object id : ids) {
      c.fence().check();
      Map<String, AttributeValue> old = client.deleteItem(b -> b.tableName(live.get())
          .key(Map.of(c.schema().key(), ItemCodec.key(c.schema(), id))).returnValues(ReturnValue.ALL_OLD))
          .attributes();
      deleted += old == null || old.isEmpty() ? 0 : 1;
    }
    return new LoadContext.Run("erase", live.get(), Optional.empty(), c.entry().flatMap(
        OnlineCatalog.Entry::watermark), new WriteStats(deleted, 0, 0, deleted, 0, 0, ids.size(), List.of()),
        Duration.ofNanos(System.nanoTime() - writeStart)); // records: the items that existed
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
