package io.tidemark.governance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.trim;

import io.delta.tables.DeltaTable;
import io.tidemark.BadRequestException;
import io.tidemark.action.BaseAction;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureType;
import io.tidemark.definitions.StorageFormat;
import io.tidemark.offline.ErasureLedger;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.offline.SideTable;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.materialize.MaterializeAction;
import io.tidemark.util.JobLabel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Erases records (GDPR): {@code tidemark.erase("users").ids(ids).reason("ticket 123").execute()} removes every
 * history row of those record ids from the group's offline table (a Delta delete), their rows from the group's
 * quarantine, and their items from the online table (under the group's lease); records an audit entry without ids
 * or values; and refuses the ids in later ingests until the erasure is lifted ({@link #lift}). Training sets whose
 * pinned versions hold the ids are reported, and the erasure refuses to run unless they are released
 * ({@link #releaseManifests}): their rebuild would read data that must go.
 *
 * <p>Delta keeps the deleted rows in files the current version no longer uses until {@code vacuum} removes them
 * after the retention period; see README ("GDPR erasure").
 */
public final class EraseAction extends BaseAction<EraseAction, EraseResult> {
  private final OfflineStore store;
  private final FeatureGroup group;
  private final Supplier<OnlineStore> online;
  private final List<Object> ids = new ArrayList<>();
  private Optional<String> reason = Optional.empty();
  private Optional<String> requestedBy = Optional.ofNullable(System.getProperty("user.name"));
  private boolean releaseManifests;

  public EraseAction(SparkSession spark, OfflineStore store, FeatureGroup group, Supplier<OnlineStore> online) {
    super(spark);
    this.store = store;
    this.group = group;
    this.online = online;
  }

  /** The record ids to erase (as text for a String id, numbers or text for an Integral one). */
  public EraseAction ids(Collection<?> values) {
    for (Object v : values) {
      ids.add(normalize(v));
    }
    return this;
  }

  /** Why (kept in the audit), e.g. a ticket number. */
  public EraseAction reason(String text) {
    this.reason = Optional.ofNullable(text);
    return this;
  }

  /** Who asked (kept in the audit; default: the OS user running the job). */
  public EraseAction requestedBy(String who) {
    this.requestedBy = Optional.ofNullable(who);
    return this;
  }

  /**
   * Erase even though recorded training sets read versions that hold these ids: their pins are released (so
   * {@code vacuum} can remove the erased rows' files) and they are named in the audit and the result; they can no
   * longer be rebuilt exactly, and their outputs still hold the ids' values (delete or rebuild them).
   */
  public EraseAction releaseManifests(boolean value) {
    this.releaseManifests = value;
    return this;
  }

  /** The group's erasure audit: every erase and lift, oldest first (who, when, why, how many; never the ids). */
  public List<ErasureLedger.Entry> audit() {
    return store.erasures().entries(store.database(), group.name());
  }

  @Override
  protected void check() {
    if (ids.isEmpty()) {
      throw new BadRequestException("erase " + group.name() + ": no record ids given (pass --ids FILE, one id per "
          + "line)");
    }
  }

  @Override
  protected String name() {
    return "erase";
  }

  @Override
  protected String description() {
    return group.name() + ": " + new LinkedHashSet<>(ids).size() + " record ids";
  }

  @Override
  protected EraseResult run(JobLabel label) {
    OfflineTable table = store.forGroup(group).requireExists();
    if (table.format() != StorageFormat.DELTA) {
      throw new BadRequestException("erase " + group.name() + ": the offline table " + table.tableName() + " is "
          + "Parquet, whose files cannot delete rows in place; set offline.format: delta in " + group.file()
          + " and reload the group, then erase");
    }
    List<Object> distinct = List.copyOf(new LinkedHashSet<>(ids));
    String idColumn = group.recordIdentifier();
    String erasureId = UUID.randomUUID().toString();
    Dataset<Row> erased = idFrame(distinct);
    label.step("erase: " + group.name() + ": training sets that read these ids");
    List<String> affected = affectedManifests(table, erased);
    if (!affected.isEmpty() && !releaseManifests) {
      throw new IllegalStateException("erase " + group.name() + ": " + affected.size() + " recorded training set"
          + (affected.size() == 1 ? "" : "s") + " read a version holding these ids, and could not be rebuilt "
          + "after the erasure (their outputs also hold the ids' values): " + String.join(", ", affected)
          + ". Pass --release-manifests to erase anyway (their pins are released so vacuum can remove the "
          + "erased rows' files); nothing was erased");
    }
    label.step("erase: " + group.name() + ": delete the history rows");
    Dataset<Row> history = table.read();
    long offlineRows = history.join(erased, history.col(idColumn).equalTo(erased.col(ERASED_ID))).count();
    if (offlineRows > 0) {
      DeltaTable.forPath(spark, table.location()).as("t")
          .merge(erased.as("e"), col("t." + idColumn).equalTo(col("e." + ERASED_ID)))
          .whenMatched().delete().execute();
    }
    Optional<Long> version = table.version();
    label.step("erase: " + group.name() + ": delete quarantined rows");
    long quarantined = eraseQuarantine(table.quarantine(), erased, idColumn);
    // hashes before the online delete: an ingest from now on refuses the ids
    ErasureLedger ledger = store.erasures();
    long onlineItems = 0;
    if (group.online().enabled()) {
      label.step("erase: " + group.name() + ": delete online items");
      onlineItems = new MaterializeAction(spark, store, online.get(), group).erasing(distinct).execute().deleted();
    }
    for (String manifest : affected) {
      store.manifests().forget(store.database(), group.name(), manifest);
    }
    ErasureLedger.Entry entry = new ErasureLedger.Entry(erasureId, store.database(), group.name(), "erase",
        Instant.now(), requestedBy, reason, distinct.size(), offlineRows, quarantined, onlineItems, version,
        affected);
    ledger.recordErasure(entry, distinct);
    return new EraseResult(entry);
  }

  /**
   * Lifts an erasure: its ids may be ingested again (the rows erased stay erased). Recorded in the audit.
   *
   * @return the audit entry of the lifting, its {@code ids} the number of ids the erasure covered
   */
  public EraseResult lift(String erasureId) {
    ErasureLedger ledger = store.erasures();
    boolean known = ledger.entries(store.database(), group.name()).stream()
        .anyMatch(e -> e.erasureId().equals(erasureId) && e.kind().equals("erase"));
    if (!known) {
      throw new BadRequestException("erase " + group.name() + " --lift: no erasure " + erasureId + " of group "
          + group.name() + " in " + ledger.auditLocation() + " (tidemark erase " + group.name() + " --list shows "
          + "them)");
    }
    ErasureLedger.Entry entry = new ErasureLedger.Entry(erasureId, store.database(), group.name(), "lift",
        Instant.now(), requestedBy, reason, 0, 0, 0, 0, Optional.empty(), List.of());
    long n = ledger.lift(entry);
    return new EraseResult(new ErasureLedger.Entry(erasureId, entry.database(), entry.group(), "lift", entry.at(),
        requestedBy, reason, n, 0, 0, 0, Optional.empty(), List.of()));
  }

  private static final String ERASED_ID = "_tm_erased_id";

  private Dataset<Row> idFrame(List<Object> distinct) {
    boolean integral = group.recordIdentifierFeature().type() == FeatureType.INTEGRAL;
    StructType schema = new StructType().add(ERASED_ID, integral ? DataTypes.LongType : DataTypes.StringType, false);
    return spark.createDataFrame(distinct.stream().map(RowFactory::create).toList(), schema);
  }

  private Object normalize(Object v) {
    if (group.recordIdentifierFeature().type() != FeatureType.INTEGRAL) {
      return String.valueOf(v);
    }
    try {
      return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new BadRequestException("erase " + group.name() + ": record id '" + v + "' is not an Integral, as "
          + group.recordIdentifier() + " is in " + group.file());
    }
  }

  /** Recorded training sets (with a manifest) whose pinned version holds any of the ids. */
  private List<String> affectedManifests(OfflineTable table, Dataset<Row> erased) {
    List<String> out = new ArrayList<>();
    for (ManifestLedger.Pin pin : store.manifests().pins(store.database(), group.name())) {
      if (pin.deltaVersion().isEmpty() || !exists(pin.manifest()) || out.contains(pin.manifest())) {
        continue;
      }
      Dataset<Row> rows = table.readVersion(pin.deltaVersion().get());
      if (!rows.join(erased, rows.col(group.recordIdentifier()).equalTo(erased.col(ERASED_ID))).isEmpty()) {
        out.add(pin.manifest());
      }
    }
    return out;
  }

  /** Quarantined rows whose raw row names one of the ids (as text, the way the row arrived). */
  private long eraseQuarantine(SideTable quarantine, Dataset<Row> erased, String idColumn) {
    if (!DeltaTable.isDeltaTable(spark, quarantine.location())) {
      return 0;
    }
    Dataset<Row> asText = erased.select(col(ERASED_ID).cast("string").as(ERASED_ID));
    Dataset<Row> rows = spark.read().format("delta").load(quarantine.location());
    org.apache.spark.sql.Column rawId = get_json_object(rows.col(SideTable.RAW_ROW), "$." + idColumn);
    long n = rows.join(asText, trim(rawId).equalTo(asText.col(ERASED_ID))).count();
    if (n > 0) {
      DeltaTable.forPath(spark, quarantine.location()).as("q").merge(asText.as("e"),
          trim(get_json_object(col("q." + SideTable.RAW_ROW), "$." + idColumn))
              .equalTo(col("e." + ERASED_ID))).whenMatched().delete().execute();
    }
    return n;
  }

  private boolean exists(String file) {
    Path p = new Path(file);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + file, e);
    }
  }
}
