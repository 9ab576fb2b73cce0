package io.tidemark.offline;

import io.tidemark.util.Sql;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hive.metastore.TableType;
import org.apache.hadoop.hive.metastore.api.FieldSchema;
import org.apache.hadoop.hive.ql.metadata.Hive;
import org.apache.hadoop.hive.ql.metadata.HiveException;
import org.apache.hadoop.hive.ql.metadata.Table;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Column;
import org.apache.spark.sql.hive.HiveExternalCatalog;
import org.apache.spark.sql.hive.client.HiveClientImpl;

/**
 * The raw metastore entry of a Delta table (the Glue Data Catalog's on EMR), made to tell the truth. Spark stores a
 * Delta table there with one placeholder column {@code col array<string>}, no partition keys and a placeholder
 * location, because the schema lives in the Delta log; Glue's console and search, Lake Formation column
 * permissions, Athena and Hive-connector readers see only the entry. So Tidemark writes into it the real columns
 * with their comments, the partition keys, the table's location ({@code s3://} for S3, as Athena reads it; an
 * embedded metastore keeps Spark's placeholder location for S3 data), the
 * description, Tidemark's parameters and {@code table_type=DELTA} (what Athena needs to read Delta natively).
 * Spark and Delta keep reading what Spark wrote for them (provider, schema properties, the {@code path} storage
 * parameter), which stays as it was.
 */
public final class CatalogEntry {
  private CatalogEntry() {}

  /**
   * Rewrites the entry of Delta table {@code database.table} from the table's own schema (Delta's log), adding
   * {@code parameters}. Hive keeps an entry's partition keys and existing column types when it alters one, so an
   * entry with other keys or Spark's placeholder column is dropped and created again (an external table: no data
   * moves): call this right after creating the table; later calls (new columns) alter it. A session without a Hive
   * metastore has no entry to fix.
   */
  public static void syncDelta(OfflineStore store, String database, String table, String description,
      Map<String, String> parameters) {
    SparkSession spark = store.spark();
    if (!(spark.sharedState().externalCatalog().unwrapped() instanceof HiveExternalCatalog catalog)) {
      return;
    }
    List<FieldSchema> columns = new ArrayList<>();
    List<FieldSchema> partitionKeys = new ArrayList<>();
    List<Column> listed;
    try {
      listed = spark.catalog().listColumns(database, table).collectAsList();
    } catch (Exception e) { // AnalysisException, declared on Spark 3.5 only
      throw new IllegalStateException("cannot read the columns of " + database + "." + table + ": " + e, e);
    }
    for (Column c : listed) {
      FieldSchema f = new FieldSchema(c.name(), c.dataType(), c.description() == null ? "" : c.description());
      (c.isPartition() ? partitionKeys : columns).add(f);
    }
    String data = location(spark, database, table);
    // an embedded metastore checks a location with the credentials it started with, and caches the file system it
    // made for it: it gets S3 locations only when it is external (Glue on EMR); there the path parameter serves
    boolean writeLocation = !store.embeddedMetastore() || !(data.startsWith("s3") && data.contains("://"));
    String location = catalogLocation(data);
    Map<String, String> params = new LinkedHashMap<>(parameters);
    params.put("table_type", "DELTA");
    params.put("comment", description);
    HiveClientImpl client = (HiveClientImpl) catalog.client();
    client.withHiveState(() -> {
      try {
        Hive hive = Hive.get();
        Table entry = hive.getTable(database, table);
        // Hive alters an entry only keeping its partition keys and the types of its existing columns: an entry
        // with Spark's placeholder column, or other keys, is created again
        boolean recreate = !shapes(entry.getPartCols()).equals(shapes(partitionKeys))
            || !isPrefix(shapes(entry.getCols()), shapes(columns));
        entry.setFields(columns);
        if (writeLocation) {
          entry.setDataLocation(new Path(location));
        }
        params.forEach(entry::setProperty);
        if (recreate) {
          if (entry.getTableType() != TableType.EXTERNAL_TABLE) {
            throw new IllegalStateException("catalog table " + database + "." + table + " is not external; "
                + "Tidemark registers every table with its location");
          }
          entry.setPartCols(partitionKeys);
          hive.dropTable(database, table, false, true);
          hive.createTable(entry);
        } else {
          hive.alterTable(database + "." + table, entry, null);
        }
      } catch (HiveException | org.apache.hadoop.hive.metastore.api.InvalidOperationException e) {
        throw new IllegalStateException("cannot write the catalog entry of " + database + "." + table + ": " + e, e);
      }
      return null;
    });
    spark.catalog().refreshTable(Sql.quote(database) + "." + Sql.quote(table));
  }

  /** Where the catalog says the table's data is (Spark's view: the path Spark and Delta read). */
  public static String location(SparkSession spark, String database, String table) {
    for (Row r : spark.sql("DESCRIBE TABLE EXTENDED " + Sql.quote(database) + "." + Sql.quote(table))
        .collectAsList()) {
      if ("Location".equals(r.getString(0))) {
        return r.getString(1);
      }
    }
    throw new IllegalStateException("catalog table " + database + "." + table + " has no location");
  }

  /** A location as catalogs and Athena write it: {@code s3://} for S3 (not S3A's scheme), URIs for local paths. */
  public static String catalogLocation(String location) {
    String l = location.replaceAll("/+$", "");
    if (l.startsWith("s3a://") || l.startsWith("s3n://")) {
      return "s3://" + l.substring(6);
    }
    if (l.startsWith("/")) {
      return new Path(URI.create("file://" + l)).toString();
    }
    return new Path(l).toString();
  }

  /** Whether two locations name the same place ({@code s3a://} and {@code s3://} alike, with or without file:). */
  public static boolean sameLocation(String a, String b) {
    return Objects.equals(catalogLocation(a), catalogLocation(b));
  }

  private static List<String> shapes(List<FieldSchema> fields) {
    return fields.stream().map(f -> f.getName() + " " + f.getType()).toList();
  }

  private static boolean isPrefix(List<String> prefix, List<String> list) {
    return prefix.size() <= list.size() && list.subList(0, prefix.size()).equals(prefix);
  }
}
