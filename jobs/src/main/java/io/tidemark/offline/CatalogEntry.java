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
 * The raw metastore entry of a table Tidemark registers (the Glue Data Catalog's on EMR), made to tell the truth.
 * Spark stores a Delta or CSV table there with one placeholder column {@code col array<string>}, no partition keys
 * and a placeholder location, because the schema lives in the Delta log or in Spark's own properties; Glue's console
 * and search, Lake Formation column permissions, Athena and Hive-connector readers see only the entry. So Tidemark
 * writes into it the real columns with their comments, the partition keys, the table's location ({@code s3://} for
 * S3, as Athena reads it; an embedded metastore keeps Spark's placeholder location for S3 data), the description,
 * Tidemark's parameters and what a reader needs for the storage: {@code table_type=DELTA} (Athena reads Delta
 * natively), a text SerDe for CSV ({@link Storage#csv}). Parquet tables already get real columns and Parquet's SerDe
 * from Spark; they get the description and parameters. Spark and Delta keep reading what Spark wrote for them
 * (provider, schema properties, the {@code path} storage parameter, CSV options), which stays as it was.
 */
public final class CatalogEntry {
  private CatalogEntry() {}

  /** How a table's files are stored, which decides what its entry says besides the columns. */
  public record Storage(String kind, Map<String, String> csvOptions) {
    public static final Storage DELTA = new Storage("delta", Map.of());
    public static final Storage PARQUET = new Storage("parquet", Map.of());

    public Storage {
      csvOptions = Map.copyOf(csvOptions);
    }

    /**
     * CSV files written with these Spark writer options (Tidemark's RFC 4180 defaults plus any
     * {@code --output-option}). The entry names Hive's {@code OpenCSVSerde} (what Athena documents for quoted CSV)
     * with the files' separator and quote, because RFC 4180 quotes a value that holds a comma or a quote and doubles
     * the quotes inside it: {@code LazySimpleSerDe} would split such a value at its comma and keep the quotes, while
     * OpenCSVSerde reads both. Its escape character must differ from the quote, so it is a backslash (the default;
     * a backslash in a text value is then read as an escape, and a value with a line break breaks any line-based
     * Hive reader: the README says so). A file with a header line gets {@code skip.header.line.count=1}: Tidemark
     * writes one header per file. Timestamps and dates are declared {@code string}, with their format as the
     * column comment: OpenCSVSerde reads a timestamp only as epoch milliseconds or {@code yyyy-MM-dd HH:mm:ss}, not
     * the ISO-8601 UTC text Tidemark writes ({@code from_iso8601_timestamp} reads it in Athena). Where a missing
     * value is written {@code NaN} (sagemaker-csv), whole-number columns are declared {@code double}, the one type
     * that reads NaN.
     */
    public static Storage csv(Map<String, String> writerOptions) {
      return new Storage("csv", writerOptions);
    }

    boolean isCsv() {
      return kind.equals("csv");
    }
  }

  /**
   * The parameter recording what an entry was last made to tell ({@link #upToDate}): a hash of the statement that
   * would create the table as Tidemark defines it now (columns, comments, location, parameters).
   */
  public static final String FINGERPRINT = "tidemark.entry_fingerprint";

  static final String OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
  static final String TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat";
  static final String TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

  /**
   * Makes the entry of {@code database.table} tell the table's own schema (Spark's view of it: the Delta log, or
   * Spark's properties), with {@code parameters}, the description as comment and what {@code storage} needs. It
   * reads the entry first and writes nothing when it already says all that, so it is cheap to call on every job;
   * Tidemark's own parameters ({@code tidemark.*}) that are no longer given are removed. Hive keeps an entry's
   * partition keys and existing column types when it alters one, so an entry with other keys or Spark's placeholder
   * column is dropped and created again (an external table: no data moves). A session without a Hive metastore has
   * no entry to fix.
   *
   * @return whether the entry was written
   */
  public static boolean sync(OfflineStore store, String database, String table, Storage storage, String description,
      Map<String, String> parameters) {
    SparkSession spark = store.spark();
    if (!(spark.sharedState().externalCatalog().unwrapped() instanceof HiveExternalCatalog catalog)) {
      return false;
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
      (c.isPartition() ? partitionKeys : columns).add(field(c, storage));
    }
    String data = location(spark, database, table);
    // an embedded metastore checks a location with the credentials it started with, and caches the file system it
    // made for it: it gets S3 locations only when it is external (Glue on EMR); there the path parameter serves
    boolean writeLocation = !store.embeddedMetastore() || !(data.startsWith("s3") && data.contains("://"));
    String location = catalogLocation(data);
    Map<String, String> params = new LinkedHashMap<>(parameters);
    params.put("comment", description);
    if (storage.equals(Storage.DELTA)) {
      params.put("table_type", "DELTA");
    }
    Map<String, String> serde = new LinkedHashMap<>();
    if (storage.isCsv()) {
      Map<String, String> o = storage.csvOptions();
      String quote = o.getOrDefault("quote", "\"");
      String escape = o.getOrDefault("escape", "\\");
      serde.put("separatorChar", o.getOrDefault("sep", o.getOrDefault("delimiter", ",")));
      serde.put("quoteChar", quote);
      serde.put("escapeChar", escape.equals(quote) ? "\\" : escape);
      params.put("skip.header.line.count", Boolean.parseBoolean(o.getOrDefault("header", "false")) ? "1" : "0");
    }
    HiveClientImpl client = (HiveClientImpl) catalog.client();
    boolean written = client.withHiveState(() -> {
      try {
        Hive hive = Hive.get();
        Table entry = hive.getTable(database, table);
        boolean keysChanged = !fields(entry.getPartCols()).equals(fields(partitionKeys));
        boolean same = !keysChanged && fields(entry.getCols()).equals(fields(columns))
            && (!writeLocation || location.equals(entry.getDataLocation().toString()))
            && params.entrySet().stream().allMatch(e -> e.getValue().equals(entry.getParameters().get(e.getKey())))
            && entry.getParameters().keySet().stream()
                .noneMatch(k -> stale(k, params) && !k.equals(FINGERPRINT))
            && (!storage.isCsv() || (OPEN_CSV_SERDE.equals(entry.getSerializationLib())
                && TEXT_INPUT.equals(entry.getSd().getInputFormat())
                && serde.entrySet().stream().allMatch(e -> e.getValue().equals(entry.getSerdeParam(e.getKey())))));
        if (same) {
          return false;
        }
        // Hive alters an entry only keeping its partition keys and the types of its existing columns: an entry
        // with Spark's placeholder column, or other keys, is created again
        boolean recreate = keysChanged || !isPrefix(shapes(entry.getCols()), shapes(columns));
        entry.setFields(columns);
        if (writeLocation) {
          entry.setDataLocation(new Path(location));
        }
        // a fingerprint not given again goes too: what it vouched for is being changed
        entry.getParameters().keySet().removeIf(k -> stale(k, params));
        params.forEach(entry::setProperty);
        if (storage.isCsv()) {
          entry.setSerializationLib(OPEN_CSV_SERDE);
          entry.setInputFormatClass(TEXT_INPUT);
          entry.setOutputFormatClass(TEXT_OUTPUT);
          serde.forEach(entry::setSerdeParam);
        }
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
      return true;
    });
    if (written) {
      spark.catalog().refreshTable(Sql.quote(database) + "." + Sql.quote(table));
    }
    return written;
  }

  /**
   * Whether {@code database.table} exists at {@code location} and its entry was last synced for
   * {@code fingerprint} ({@link #FINGERPRINT}): one read of the raw entry, where checking it against the table
   * costs Spark's view of the table (for Delta a snapshot of its log) and several catalog calls. A job that finds
   * its entry up to date skips both.
   */
  public static boolean upToDate(OfflineStore store, String database, String table, String location,
      String fingerprint) {
    org.apache.spark.sql.catalyst.catalog.ExternalCatalog catalog = store.spark().sharedState().externalCatalog();
    if (!catalog.tableExists(database, table)) {
      return false;
    }
    org.apache.spark.sql.catalyst.catalog.CatalogTable entry = catalog.getTable(database, table);
    scala.Option<String> recorded = entry.properties().get(FINGERPRINT);
    return recorded.isDefined() && recorded.get().equals(fingerprint)
        && sameLocation(entry.location().toString(), location);
  }

  /** A column as the entry states it; a CSV's timestamps and dates are text in a stated format. */
  private static FieldSchema field(Column c, Storage storage) {
    String comment = c.description() == null ? "" : c.description();
    if (storage.isCsv() && (c.dataType().equals("timestamp") || c.dataType().equals("date"))) {
      String format = c.dataType().equals("date") ? storage.csvOptions().getOrDefault("dateFormat", "yyyy-MM-dd")
          : storage.csvOptions().getOrDefault("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
      String note = c.dataType() + " as text, " + format + (c.dataType().equals("timestamp") ? " (UTC)" : "");
      return new FieldSchema(c.name(), "string", comment.isEmpty() ? note : comment + "; " + note);
    }
    if (storage.isCsv() && "NaN".equals(storage.csvOptions().get("nullValue"))
        && List.of("bigint", "int", "smallint", "tinyint").contains(c.dataType())) {
      // sagemaker-csv writes a missing value as NaN, which only a floating-point column reads
      String note = c.dataType() + " as a number; a missing value is NaN";
      return new FieldSchema(c.name(), "double", comment.isEmpty() ? note : comment + "; " + note);
    }
    return new FieldSchema(c.name(), c.dataType(), comment);
  }

  /** A parameter Tidemark set once and no longer sets (a removed tag, say). */
  private static boolean stale(String key, Map<String, String> params) {
    return key.startsWith("tidemark.") && !params.containsKey(key);
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

  private static List<String> fields(List<FieldSchema> fields) {
    return fields.stream().map(f -> f.getName() + " " + f.getType() + " " + Objects.toString(f.getComment(), ""))
        .toList();
  }

  private static boolean isPrefix(List<String> prefix, List<String> list) {
    return prefix.size() <= list.size() && list.subList(0, prefix.size()).equals(prefix);
  }
}
