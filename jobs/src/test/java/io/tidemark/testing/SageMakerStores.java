package io.tidemark.testing;

import static org.apache.spark.sql.functions.col;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SageMakerOrigin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Realistic SageMaker Feature Store offline stores of the demo's {@code users} and {@code products} groups, written
 * the way SageMaker writes them, in both table formats:
 *
 * <ul>
 *   <li>Glue: Parquet under {@code <group>-<epoch>/data/year=YYYY/month=MM/day=DD/hour=HH/} (the event time's UTC
 *       hour), named {@code <latest event time>_<16 random characters>.parquet}, no job marker; String features as string, Integral as bigint, Fractional as double, {@code write_time} and
 *       {@code api_invocation_time} as timestamps, {@code is_deleted} boolean; each delivery (SageMaker's offline
 *       store is written at least once) is a file of its own, so a redelivered record sits in a second file.</li>
 *   <li>Iceberg: a table at {@code <group>-<epoch>/} ({@code data/} with Iceberg's object-storage layout, and
 *       {@code metadata/}), one snapshot per delivery, metadata files named as a Glue catalog names them
 *       ({@code 00002-<uuid>.metadata.json}, no version hint) unless asked for a Hadoop catalog's names
 *       ({@code v3.metadata.json}); {@code write_time} and {@code api_invocation_time} as Iceberg {@code timestamp}
 *       (without zone, as Athena declares them). Written through an Iceberg Hadoop catalog registered on the shared
 *       test session under a name of its own per table (nothing other tests see).</li>
 * </ul>
 *
 * <p>{@code users} is SageMaker's {@code Customer-Profiles} group (CamelCase names, a Fractional event time, and in
 * Iceberg the List feature {@code RecentProductIds} the Tidemark definition leaves out); {@code products} keeps its
 * snake_case names, with a Fractional or a String (ISO-8601) event time. Each has a tombstone, an exact duplicate
 * (a redelivery: same record, event time and api_invocation_time, written later), a rewrite of the same event time
 * with another api_invocation_time (not a duplicate), and a row Tidemark's definition refuses (age 230, price
 * -4.99): SageMaker stores typed columns and has no rules, so a bad row is a typed value out of the rules.
 */
public final class SageMakerStores {
  private static final AtomicInteger CATALOGS = new AtomicInteger();
  private static final Pattern HADOOP_METADATA = Pattern.compile("v(\\d+)\\.metadata\\.json");

  private SageMakerStores() {}

  /** How the SageMaker group declares its event time: {@code Fractional} (epoch seconds) or {@code String}. */
  public enum EventTime {
    FRACTIONAL(DataTypes.DoubleType),
    STRING(DataTypes.StringType);

    final DataType type;

    EventTime(DataType type) {
      this.type = type;
    }

    Object value(Instant t) {
      return this == FRACTIONAL ? t.getEpochSecond() + t.getNano() / 1e9 : t.toString();
    }
  }

  /**
   * One SageMaker group's offline store content.
   *
   * @param folder {@code <FeatureGroupName>-<creation epoch>}, the group's folder under {@code offline-store/}
   * @param schema the columns as SageMaker stores them (features in FeatureDefinitions order, then the metadata)
   * @param rows the rows in schema order
   * @param eventTimes each row's event time (SageMaker's hourly partition)
   * @param deliveries each row's delivery (0 first; 1 a later file or snapshot)
   * @param icebergOnly columns only the Iceberg store has (collection features)
   * @param definition the Tidemark group the store belongs to
   */
  public record Store(String folder, StructType schema, List<Row> rows, List<Instant> eventTimes,
      List<Integer> deliveries, List<String> icebergOnly, FeatureGroup definition) {}

  /** {@code <root>/111122223333/sagemaker/us-east-1/offline-store/<folder>}, as SageMaker lays out S3Uri. */
  public static String groupFolder(String root, Store store) {
    return root + "/111122223333/sagemaker/us-east-1/offline-store/" + store.folder();
  }

  /** The shipped definitions (feature-definitions/ of the repository). */
  public static FeatureGroup shipped(String name) {
    java.nio.file.Path dir = java.nio.file.Path.of("..", "feature-definitions").toAbsolutePath().normalize();
    return FeatureRegistry.load(dir, Map.of("raw_root", "/raw")).group(name);
  }

  /**
   * The users group as SageMaker's {@code Customer-Profiles}: the shipped definition with a {@code sagemaker:}
   * block mapping every feature to its CamelCase SageMaker name (a group imported, then renamed by its team).
   */
  public static FeatureGroup usersFromSageMaker() {
    return shipped("users").withSageMaker(Optional.of(new SageMakerOrigin("Customer-Profiles", Map.of(
        "user_id", "CustomerId", "age", "Age", "membership_tier", "MembershipTier",
        "total_purchases", "TotalPurchases", "avg_order_value", "AvgOrderValue", "event_time", "EventTime"),
        Optional.of("s3://acme-ml-feature-store/offline"))));
  }

  /** users: 10 rows over the hours 12 to 15 of 2024-05-01; 2 exact duplicates (one of a tombstone), 1 age 230. */
  public static Store users() {
    StructType schema = new StructType()
        .add("CustomerId", DataTypes.StringType)
        .add("Age", DataTypes.LongType)
        .add("MembershipTier", DataTypes.StringType)
        .add("TotalPurchases", DataTypes.LongType)
        .add("AvgOrderValue", DataTypes.DoubleType)
        .add("RecentProductIds", DataTypes.createArrayType(DataTypes.StringType))
        .add("EventTime", DataTypes.DoubleType);
    Builder b = new Builder(EventTime.FRACTIONAL);
    b.row(0, "2024-05-01T12:00:00Z", "12:00:01", "12:10:00", false, "u001", 34L, "gold", 12L, 41.5, List.of("p001"));
    b.row(0, "2024-05-01T12:10:00.500Z", "12:10:01", "12:20:00", false, "u002", 27L, "silver", 3L, 18.25,
        List.of("p002"));
    b.row(0, "2024-05-01T13:00:00Z", "13:00:02", "13:15:00", false, "u001", 34L, "platinum", 13L, 43.0,
        List.of("p001", "p003"));
    b.row(0, "2024-05-01T14:00:00.250Z", "14:00:01", "14:10:00", false, "u003", 19L, "bronze", 0L, null, List.of());
    // the same record and event time again, another PutRecord (a correction): kept
    b.row(0, "2024-05-01T14:00:00.250Z", "14:05:00", "14:10:00", false, "u003", 19L, "bronze", 1L, 9.99,
        List.of("p004"));
    // DeleteRecord: a tombstone with the record identifier and event time only
    b.row(0, "2024-05-01T15:00:00Z", "15:00:05", "15:12:00", true, "u002", null, null, null, null, null);
    // outside the definition's rule for age (13..120): the write path quarantines it
    b.row(0, "2024-05-01T15:00:00.750Z", "15:00:06", "15:12:00", false, "u004", 230L, "gold", 5L, 20.0, List.of());
    // the second delivery: two records SageMaker wrote again, later
    b.row(1, "2024-05-01T13:00:00Z", "13:00:02", "13:30:00", false, "u001", 34L, "platinum", 13L, 43.0,
        List.of("p001", "p003"));
    b.row(1, "2024-05-01T15:00:00Z", "15:00:05", "15:40:00", true, "u002", null, null, null, null, null);
    b.row(1, "2024-05-01T15:30:00Z", "15:30:00", "15:40:00", false, "u005", 45L, "silver", 2L, 30.0, List.of());
    return b.store("Customer-Profiles-1714564800", schema, List.of("RecentProductIds"), usersFromSageMaker());
  }

  /** products: 7 rows over the hours 12, 13, 14 and 16; 1 exact duplicate, 1 price -4.99, 1 tombstone. */
  public static Store products(EventTime eventTime) {
    StructType schema = new StructType()
        .add("product_id", DataTypes.StringType)
        .add("category", DataTypes.StringType)
        .add("price", DataTypes.DoubleType)
        .add("avg_rating", DataTypes.DoubleType)
        .add("stock_level", DataTypes.LongType)
        .add("event_time", eventTime.type);
    Builder b = new Builder(eventTime);
    b.row(0, "2024-05-01T12:05:00Z", "12:05:00", "12:15:00", false, "p001", "books", 12.99, 4.5, 40L);
    b.row(0, "2024-05-01T12:30:00.125Z", "12:30:01", "12:45:00", false, "p002", "toys", 25.0, null, 7L);
    b.row(0, "2024-05-01T13:45:00Z", "13:45:00", "13:55:00", false, "p001", "books", 11.49, 4.6, 38L);
    b.row(0, "2024-05-01T14:20:00Z", "14:20:00", "14:30:00", false, "p003", "garden", 8.0, 3.9, 0L);
    // a refund typed into the price: SageMaker stores it, Tidemark's rule (min 0) refuses it
    b.row(0, "2024-05-01T14:25:00Z", "14:25:00", "14:30:00", false, "p004", "garden", -4.99, null, 3L);
    b.row(1, "2024-05-01T13:45:00Z", "13:45:00", "14:20:00", false, "p001", "books", 11.49, 4.6, 38L);
    b.row(1, "2024-05-01T16:00:00Z", "16:00:00", "16:10:00", true, "p003", null, null, null, null);
    return b.store("products-1714565100", schema, List.of(), shipped("products"));
  }

  /** Writes the Glue (Hive) layout under {@code groupFolder}/data; returns {@code groupFolder}. */
  public static String writeGlue(SparkSession spark, Store store, String groupFolder) {
    Dataset<Row> all = frame(spark, store).drop(store.icebergOnly().toArray(String[]::new));
    Path data = new Path(groupFolder, "data");
    Random random = new Random(store.folder().hashCode());
    try {
      FileSystem fs = data.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (int delivery : store.deliveries().stream().distinct().sorted().toList()) {
        all.where(col("__delivery").equalTo(delivery)).drop("__delivery").coalesce(1).write().mode(SaveMode.Append)
            .partitionBy("year", "month", "day", "hour").parquet(data.toString());
        // SageMaker's file names: <latest event time in the file>_<16 random letters and digits>.parquet
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(data, true);
        List<Path> written = new ArrayList<>();
        while (files.hasNext()) {
          Path p = files.next().getPath();
          if (p.getName().startsWith("part-")) {
            written.add(p);
          }
        }
        for (Path p : written) {
          String hour = p.getParent().getName();
          Instant latest = latestEventTime(store, delivery, hour);
          String name = SAGEMAKER_FILE_TIME.format(latest) + "_" + randomId(random) + ".parquet";
          if (!fs.rename(p, new Path(p.getParent(), name))) {
            throw new IOException("cannot rename " + p);
          }
        }
      }
      // SageMaker writes no job marker
      fs.delete(new Path(data, "_SUCCESS"), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return groupFolder;
  }

  private static final DateTimeFormatter SAGEMAKER_FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The latest event time of a delivery's rows in one {@code hour=HH} folder. */
  private static Instant latestEventTime(Store store, int delivery, String hourFolder) {
    Instant latest = null;
    for (int i = 0; i < store.rows().size(); i++) {
      Instant t = store.eventTimes().get(i);
      String hour = String.format("hour=%02d", t.atZone(ZoneOffset.UTC).getHour());
      if (store.deliveries().get(i) == delivery && hour.equals(hourFolder) && (latest == null || t.isAfter(latest))) {
        latest = t;
      }
    }
    return latest;
  }

  private static String randomId(Random random) {
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      id.append(chars.charAt(random.nextInt(chars.length())));
    }
    return id.toString();
  }

  /** Writes the Iceberg layout at {@code groupFolder}, metadata files named as a Glue catalog names them. */
  public static String writeIceberg(SparkSession spark, Store store, String groupFolder) {
    return writeIceberg(spark, store, groupFolder, true);
  }

  /**
   * Writes the Iceberg layout at {@code groupFolder}: a create, then one append per delivery.
   *
   * @param glueNames true: rename the Hadoop catalog's {@code vN.metadata.json} to {@code 0000(N-1)-<uuid>} and
   *     drop {@code version-hint.text}, as a table SageMaker registered in Glue has them
   */
  public static String writeIceberg(SparkSession spark, Store store, String groupFolder, boolean glueNames) {
    String catalog = "tidemark_sagemaker_fixture_" + CATALOGS.incrementAndGet();
    String offlineStore = groupFolder.substring(0, groupFolder.lastIndexOf('/'));
    spark.conf().set("spark.sql.catalog." + catalog, "org.apache.iceberg.spark.SparkCatalog");
    spark.conf().set("spark.sql.catalog." + catalog + ".type", "hadoop");
    spark.conf().set("spark.sql.catalog." + catalog + ".warehouse",
        offlineStore.substring(0, offlineStore.lastIndexOf('/')));
    String table = catalog + ".`" + offlineStore.substring(offlineStore.lastIndexOf('/') + 1) + "`.`"
        + store.folder() + "`";
    Dataset<Row> all = frame(spark, store).drop("year", "month", "day", "hour")
        .withColumn("write_time", col("write_time").cast(DataTypes.TimestampNTZType))
        .withColumn("api_invocation_time", col("api_invocation_time").cast(DataTypes.TimestampNTZType));
    spark.sql("CREATE TABLE " + table + " (" + all.drop("__delivery").schema().toDDL() + ") USING iceberg "
        + "PARTITIONED BY (hours(write_time)) TBLPROPERTIES ('format-version' = '2', "
        + "'write.object-storage.enabled' = 'true')");
    for (int delivery : store.deliveries().stream().distinct().sorted().toList()) {
      try {
        all.where(col("__delivery").equalTo(delivery)).drop("__delivery").writeTo(table).append();
      } catch (Exception e) {
        throw new IllegalStateException("cannot append to " + table, e);
      }
    }
    if (glueNames) {
      renameToGlueNames(spark, new Path(groupFolder, "metadata"));
    }
    return groupFolder;
  }

  private static void renameToGlueNames(SparkSession spark, Path metadata) {
    try {
      FileSystem fs = metadata.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (FileStatus f : fs.listStatus(metadata)) {
        Matcher m = HADOOP_METADATA.matcher(f.getPath().getName());
        if (m.matches()) {
          String glue = String.format("%05d-%s.metadata.json", Integer.parseInt(m.group(1)) - 1, UUID.randomUUID());
          if (!fs.rename(f.getPath(), new Path(metadata, glue))) {
            throw new IOException("cannot rename " + f.getPath());
          }
        }
      }
      fs.delete(new Path(metadata, "version-hint.text"), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The rows with SageMaker's hour partition (the event time's UTC year, month, day and hour, zero-padded as
   * SageMaker's folders are) and the delivery.
   */
  private static Dataset<Row> frame(SparkSession spark, Store store) {
    StructType schema = store.schema().add("year", DataTypes.StringType).add("month", DataTypes.StringType)
        .add("day", DataTypes.StringType).add("hour", DataTypes.StringType)
        .add("__delivery", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < store.rows().size(); i++) {
      Row r = store.rows().get(i);
      List<Object> v = new ArrayList<>();
      for (int j = 0; j < r.size(); j++) {
        v.add(r.get(j));
      }
      ZonedDateTime z = store.eventTimes().get(i).atZone(ZoneOffset.UTC);
      v.addAll(List.of(String.format("%04d", z.getYear()), String.format("%02d", z.getMonthValue()),
          String.format("%02d", z.getDayOfMonth()), String.format("%02d", z.getHour())));
      v.add(store.deliveries().get(i));
      rows.add(RowFactory.create(v.toArray()));
    }
    return spark.createDataFrame(rows, schema);
  }

  /** Collects rows in schema order: event time, metadata and feature values given per row. */
  private static final class Builder {
    private final EventTime eventTime;
    private final List<Row> rows = new ArrayList<>();
    private final List<Instant> times = new ArrayList<>();
    private final List<Integer> deliveries = new ArrayList<>();

    Builder(EventTime eventTime) {
      this.eventTime = eventTime;
    }

    /**
     * @param at the event time (ISO-8601)
     * @param api api_invocation_time, {@code HH:mm:ss} on 2024-05-01 (UTC)
     * @param written write_time, likewise
     * @param features the feature values in schema order without the event time (last in both schemas)
     */
    void row(int delivery, String at, String api, String written, boolean deleted, Object... features) {
      Instant t = Instant.parse(at);
      List<Object> v = new ArrayList<>(Arrays.asList(features));
      v.add(eventTime.value(t));
      v.add(time(written));
      v.add(time(api));
      v.add(deleted);
      rows.add(RowFactory.create(v.toArray()));
      times.add(t);
      deliveries.add(delivery);
    }

    Store store(String folder, StructType features, List<String> icebergOnly, FeatureGroup definition) {
      StructType schema = features.add("write_time", DataTypes.TimestampType)
          .add("api_invocation_time", DataTypes.TimestampType)
          .add("is_deleted", DataTypes.BooleanType);
      return new Store(folder, schema, List.copyOf(rows), List.copyOf(times), List.copyOf(deliveries),
          icebergOnly, definition);
    }

    private static Timestamp time(String hms) {
      return Timestamp.from(Instant.parse("2024-05-01T" + hms + "Z"));
    }
  }
}
