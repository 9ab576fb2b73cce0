package io.tidemark.offline;

import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.StorageFormat;
import io.tidemark.util.Hashing;
import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * A group's offline table in the catalog: its DDL (columns with comments, partitioning, properties), the columns
 * new features add, and the catalog entry synced to tell the truth ({@link CatalogEntry}). A fingerprint of the DDL
 * makes an up-to-date entry cost one metastore read.
 */
final class TableRegistration {
  private final OfflineStore store;
  private final OfflineTable table;
  private final FeatureGroup group;

  TableRegistration(OfflineStore store, OfflineTable table) {
    this.store = store;
    this.table = table;
    this.group = table.group();
  }

  /** Creates the database and table when missing, adds new features' columns, and syncs the catalog entry. */
  void ensure() {
    SparkSession spark = store.spark();
    String fingerprint = Hashing.sha256Hex(createTableSql());
    if (CatalogEntry.upToDate(store, store.database(), group.name(), table.location(), fingerprint)) {
      return;
    }
    store.ensureDatabase();
    if (!table.exists()) {
      spark.sql(createTableSql());
      syncCatalogEntry(fingerprint);
      return;
    }
    String registered = CatalogEntry.location(spark, store.database(), group.name());
    if (!CatalogEntry.sameLocation(registered, table.location())) {
      throw new IllegalStateException("catalog table " + table.tableName() + " is at " + registered + ", but offline.root "
          + "puts group " + group.name() + " at " + table.location() + "; set offline.root to the root that holds "
          + store.database() + "/" + group.name() + " (" + registered.replaceAll("/+$", "").replaceAll(
              "/[^/]+/[^/]+$", "") + "), or use another catalog.database");
    }
    Map<String, StructField> current = new TreeMap<>();
    Arrays.stream(spark.table(table.tableName()).schema().fields()).forEach(f -> current.put(f.name(), f));
    List<String> added = new ArrayList<>();
    for (FeatureDefinition f : group.features()) {
      StructField existing = current.get(f.name());
      if (existing == null) {
        added.add(columnDdl(f, true));
      } else if (!existing.dataType().equals(f.sparkType())) {
        throw new IllegalStateException("feature " + group.name() + "." + f.name() + " is " + f.typeName()
            + " in " + group.file() + " but " + existing.dataType().simpleString() + " in table " + table.tableName()
            + "; keep the old type, or define a new feature (the offline history is append-only)");
      }
    }
    if (!added.isEmpty()) {
      spark.sql("ALTER TABLE " + table.quotedName() + " ADD COLUMNS (" + String.join(", ", added) + ")");
    }
    // also an entry an older Tidemark registered (Spark's placeholder column), and a changed description, owner or
    // tags: the entry follows; when it already tells all that, nothing is written
    syncCatalogEntry(fingerprint);
  }

  /**
   * The catalog entry gets the real columns, partition keys, description and parameters ({@link CatalogEntry}):
   * Delta groups all of it, Parquet groups (whose columns Spark writes) the description and parameters.
   */
  private void syncCatalogEntry(String fingerprint) {
    Map<String, String> params = properties();
    params.put(CatalogEntry.FINGERPRINT, fingerprint);
    CatalogEntry.sync(store, store.database(), group.name(), table.format() == StorageFormat.DELTA
        ? CatalogEntry.Storage.DELTA : CatalogEntry.Storage.PARQUET, group.description(), params);
  }

  private String createTableSql() {
    List<String> cols = new ArrayList<>();
    group.features().forEach(f -> cols.add(columnDdl(f, false)));
    cols.add(Sql.quote(MetadataColumns.WRITE_TIME) + " TIMESTAMP NOT NULL COMMENT 'when the batch that wrote the row started'");
    cols.add(Sql.quote(MetadataColumns.API_INVOCATION_TIME) + " TIMESTAMP NOT NULL COMMENT 'when the ingest was requested'");
    cols.add(Sql.quote(MetadataColumns.IS_DELETED) + " BOOLEAN NOT NULL COMMENT 'true for a tombstone (delete)'");
    cols.add(Sql.quote(MetadataColumns.EVENT_DATE) + " DATE NOT NULL COMMENT 'UTC date of the event time (partition)'");
    if (table.format() == StorageFormat.PARQUET) {
      // Hive-format DDL of a datasource table: NOT NULL is not supported there
      cols.replaceAll(c -> c.replace(" NOT NULL", ""));
    }
    Map<String, String> props = properties();
    if (table.format() == StorageFormat.DELTA) {
      // the change feed lets incremental jobs (online materialization) read only what changed since a version
      props.put("delta.enableChangeDataFeed", "true");
    }
    List<String> propSql = props.entrySet().stream()
        .map(e -> Sql.literal(e.getKey()) + " = " + Sql.literal(e.getValue())).toList();
    return "CREATE TABLE IF NOT EXISTS " + table.quotedName() + " (" + String.join(", ", cols) + ") USING "
        + table.format().sparkName()
        + (group.offline().partitionByEventDate() ? " PARTITIONED BY (" + MetadataColumns.EVENT_DATE + ")" : "")
        + " LOCATION " + Sql.literal(table.location())
        + " COMMENT " + Sql.literal(group.description())
        + " TBLPROPERTIES (" + String.join(", ", propSql) + ")";
  }

  /** The group's table properties: who owns it, its key and event time, its tags. */
  private Map<String, String> properties() {
    Map<String, String> props = new TreeMap<>();
    props.put("tidemark.group", group.name());
    props.put("tidemark.owner", group.owner());
    props.put("tidemark.record_identifier", group.recordIdentifier());
    props.put("tidemark.event_time", group.eventTime());
    group.tags().forEach((k, v) -> props.put("tidemark.tag." + k, v));
    return props;
  }

  private String columnDdl(FeatureDefinition f, boolean forAlter) {
    boolean notNull = !f.nullable() && !forAlter && table.format() == StorageFormat.DELTA;
    return Sql.quote(f.name()) + " " + f.sparkType().sql() + (notNull ? " NOT NULL" : "")
        + " COMMENT " + Sql.literal(f.description());
  }
}
