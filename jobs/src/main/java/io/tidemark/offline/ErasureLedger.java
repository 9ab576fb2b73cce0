package io.tidemark.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;

import io.delta.tables.DeltaTable;
import io.tidemark.util.Hashing;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Erasures (GDPR): two Delta tables under the offline root, not in the catalog. {@code _tidemark/erasures} is the
 * audit: who erased how many records of which group, when and why, and what it removed; never the ids or values.
 * {@code _tidemark/erased_ids} holds a SHA-256 of each erased record id (with the database and group), so later
 * ingests can refuse those ids without keeping them; lifting an erasure removes its hashes.
 */
public final class ErasureLedger {
  public static final StructType AUDIT = new StructType()
      .add("erasure_id", DataTypes.StringType, false)
      .add("database", DataTypes.StringType, false)
      .add("group_name", DataTypes.StringType, false)
      .add("kind", DataTypes.StringType, false)
      .add("at", DataTypes.TimestampType, false)
      .add("requested_by", DataTypes.StringType, true)
      .add("reason", DataTypes.StringType, true)
      .add("ids", DataTypes.LongType, false)
      .add("offline_rows_deleted", DataTypes.LongType, false)
      .add("quarantine_rows_deleted", DataTypes.LongType, false)
      .add("online_items_deleted", DataTypes.LongType, false)
      .add("table_version", DataTypes.LongType, true)
      .add("released_manifests", DataTypes.createArrayType(DataTypes.StringType, false), false);
  static final StructType IDS = new StructType()
      .add("database", DataTypes.StringType, false)
      .add("group_name", DataTypes.StringType, false)
      .add("erasure_id", DataTypes.StringType, false)
      .add("id_sha256", DataTypes.StringType, false);

  /** One audit entry: an erasure, or the lifting of one ({@code kind} "erase" or "lift"). */
  public record Entry(String erasureId, String database, String group, String kind, Instant at,
      Optional<String> requestedBy, Optional<String> reason, long ids, long offlineRowsDeleted,
      long quarantineRowsDeleted, long onlineItemsDeleted, Optional<Long> tableVersion,
      List<String> releasedManifests) {
    public Entry {
      releasedManifests = List.copyOf(releasedManifests);
    }
  }

  private final SparkSession spark;
  private final String auditLocation;
  private final String idsLocation;

  ErasureLedger(SparkSession spark, String root) {
    this.spark = spark;
    this.auditLocation = root + "/_tidemark/erasures";
    this.idsLocation = root + "/_tidemark/erased_ids";
  }

  /** The hash kept of an erased id: SHA-256 of database, group and id (as text), never the id itself. */
  public static String hash(String database, String group, Object id) {
    return Hashing.sha256Hex(prefix(database, group) + id);
  }

  /** The same hash of an id column, computed by Spark (equal to {@link #hash}). */
  public static Column hash(String database, String group, Column id) {
    return sha2(concat(lit(prefix(database, group)), id.cast("string")), 256);
  }

  private static String prefix(String database, String group) {
    return database + "\u0000" + group + "\u0000";
  }

  /** Records an erasure: its ids' hashes first (refused from now on), then the audit entry. */
  public void recordErasure(Entry entry, Collection<?> ids) {
    List<Row> hashes = ids.stream().map(id -> RowFactory.create(entry.database(), entry.group(), entry.erasureId(),
        hash(entry.database(), entry.group(), id))).distinct().toList();
    spark.createDataFrame(hashes, IDS).coalesce(1).write().format("delta").mode(SaveMode.Append).save(idsLocation);
    audit(entry);
  }

  /** Lifts an erasure: its hashes go, so its ids may be ingested again; returns how many ids it covered. */
  public long lift(Entry entry) {
    long n = 0;
    if (DeltaTable.isDeltaTable(spark, idsLocation)) {
      Column which = col("database").equalTo(entry.database()).and(col("group_name").equalTo(entry.group()))
          .and(col("erasure_id").equalTo(entry.erasureId()));
      n = spark.read().format("delta").load(idsLocation).where(which).count();
      if (n > 0) {
        DeltaTable.forPath(spark, idsLocation).delete(which);
      }
    }
    audit(entry);
    return n;
  }

  private void audit(Entry e) {
    Row row = RowFactory.create(e.erasureId(), e.database(), e.group(), e.kind(), Timestamp.from(e.at()),
        e.requestedBy().orElse(null), e.reason().orElse(null), e.ids(), e.offlineRowsDeleted(),
        e.quarantineRowsDeleted(), e.onlineItemsDeleted(), e.tableVersion().orElse(null),
        e.releasedManifests().toArray(String[]::new));
    spark.createDataFrame(List.of(row), AUDIT).coalesce(1).write().format("delta").mode(SaveMode.Append)
        .save(auditLocation);
  }

  /** The hashes of the group's erased ids that are not lifted, or empty when it has none. */
  public Optional<Dataset<Row>> erasedHashes(String database, String group) {
    if (!DeltaTable.isDeltaTable(spark, idsLocation)) {
      return Optional.empty();
    }
    Dataset<Row> rows = spark.read().format("delta").load(idsLocation)
        .where(col("database").equalTo(database).and(col("group_name").equalTo(group)))
        .select(col("id_sha256"), col("erasure_id"));
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows);
  }

  /** The group's audit entries, oldest first. */
  public List<Entry> entries(String database, String group) {
    if (!DeltaTable.isDeltaTable(spark, auditLocation)) {
      return List.of();
    }
    return spark.read().format("delta").load(auditLocation)
        .where(col("database").equalTo(database).and(col("group_name").equalTo(group))).orderBy(col("at"))
        .collectAsList().stream().map(r -> new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
            r.getTimestamp(4).toInstant(), Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)),
            r.getLong(7), r.getLong(8), r.getLong(9), r.getLong(10), r.isNullAt(11) ? Optional.empty()
                : Optional.of(r.getLong(11)), r.getList(12))).toList();
  }

  public String auditLocation() {
    return auditLocation;
  }
}
