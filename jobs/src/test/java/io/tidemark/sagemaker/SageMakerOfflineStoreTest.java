package io.tidemark.sagemaker;

import static io.tidemark.testing.S3MockServer.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SageMakerOrigin;
import io.tidemark.runtime.S3Settings;
import io.tidemark.sagemaker.SageMakerOfflineStore.Layout;
import io.tidemark.sagemaker.SageMakerOfflineStore.Result;
import io.tidemark.testing.Rows;
import io.tidemark.testing.S3MockServer;
import io.tidemark.testing.SageMakerStores.EventTime;
import io.tidemark.testing.SageMakerStores.Store;
import io.tidemark.testing.SageMakerStores;
import io.tidemark.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Reading SageMaker offline stores (both table formats, local and S3) written by {@link SageMakerStores}: names,
 * types, tombstones, metadata, exact duplicates, and the refusals.
 */
class SageMakerOfflineStoreTest {
  private static final AtomicInteger DIRS = new AtomicInteger();
  private static final String USERS_COLUMNS = "user_id string, age bigint, membership_tier string, "
      + "total_purchases bigint, avg_order_value double, event_time double, write_time timestamp, "
      + "api_invocation_time timestamp, is_deleted boolean";
  /** The 10 rows less the 2 redelivered: the first write of each survives (write_time 13:15, not 13:30). */
  private static final List<String> USERS = List.of(
      "[u001,34,gold,12,41.5,1714564800.000,2024-05-01T12:10:00Z,2024-05-01T12:00:01Z,false]",
      "[u001,34,platinum,13,43.0,1714568400.000,2024-05-01T13:15:00Z,2024-05-01T13:00:02Z,false]",
      "[u002,27,silver,3,18.25,1714565400.500,2024-05-01T12:20:00Z,2024-05-01T12:10:01Z,false]",
      "[u002,null,null,null,null,1714575600.000,2024-05-01T15:12:00Z,2024-05-01T15:00:05Z,true]",
      "[u003,19,bronze,0,null,1714572000.250,2024-05-01T14:10:00Z,2024-05-01T14:00:01Z,false]",
      "[u003,19,bronze,1,9.99,1714572000.250,2024-05-01T14:10:00Z,2024-05-01T14:05:00Z,false]",
      "[u004,230,gold,5,20.0,1714575600.750,2024-05-01T15:12:00Z,2024-05-01T15:00:06Z,false]",
      "[u005,45,silver,2,30.0,1714577400.000,2024-05-01T15:40:00Z,2024-05-01T15:30:00Z,false]");
  private static final List<String> PRODUCTS_ISO = List.of(
      "[p001,books,11.49,4.6,38,2024-05-01T13:45:00Z,2024-05-01T13:55:00Z,2024-05-01T13:45:00Z,false]",
      "[p001,books,12.99,4.5,40,2024-05-01T12:05:00Z,2024-05-01T12:15:00Z,2024-05-01T12:05:00Z,false]",
      "[p002,toys,25.0,null,7,2024-05-01T12:30:00.125Z,2024-05-01T12:45:00Z,2024-05-01T12:30:01Z,false]",
      "[p003,garden,8.0,3.9,0,2024-05-01T14:20:00Z,2024-05-01T14:30:00Z,2024-05-01T14:20:00Z,false]",
      "[p003,null,null,null,null,2024-05-01T16:00:00Z,2024-05-01T16:10:00Z,2024-05-01T16:00:00Z,true]",
      "[p004,garden,-4.99,null,3,2024-05-01T14:25:00Z,2024-05-01T14:30:00Z,2024-05-01T14:25:00Z,false]");

  private final SparkSession spark = TestSpark.get();

  /** A fresh local root for one test's stores. */
  private static String localRoot(String name) {
    Path dir = TestSpark.target("sagemaker-stores", name + "_" + DIRS.incrementAndGet());
    TestSpark.deleteRecursively(dir);
    return dir.toString();
  }

  /** users as text: the event time (epoch seconds, a double) with its three decimals. */
  private static List<String> users(Result r) {
    return Rows.sorted(r.rows().selectExpr("user_id", "age", "membership_tier", "total_purchases",
        "avg_order_value", "CAST(event_time AS DECIMAL(14,3))", "write_time", "api_invocation_time", "is_deleted"));
  }

  private static String columns(Result r) {
    return String.join(", ", Stream.of(r.rows().schema().fields())
        .map(f -> f.name() + " " + f.dataType().simpleString()).toList());
  }

  @Test
  void glueLayoutIsReadWithTidemarkNamesTombstonesAndOneCopyOfEachDuplicate() throws IOException {
    Store store = SageMakerStores.users();
    String folder = SageMakerStores.writeGlue(spark, store, SageMakerStores.groupFolder(localRoot("glue"), store));

    // the files as SageMaker lays them out: one folder per event-time hour, a file per delivery named by the
    // latest event time in it
    try (Stream<Path> files = Files.walk(Path.of(folder, "data"))) {
      String hours = "year=2024/month=05/day=01/hour=";
      assertEquals(List.of(hours + "12/20240501T121000Z_*.parquet", hours + "13/20240501T130000Z_*.parquet",
          hours + "13/20240501T130000Z_*.parquet", hours + "14/20240501T140000Z_*.parquet",
          hours + "15/20240501T150000Z_*.parquet", hours + "15/20240501T153000Z_*.parquet"),
          files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
              .map(p -> Path.of(folder, "data").relativize(p).toString()
                  .replaceAll("_[A-Za-z0-9]{16}\\.parquet$", "_*.parquet")).sorted().toList());
    }

    Result r = SageMakerOfflineStore.read(spark, store.definition(), folder);

    assertEquals(Layout.GLUE, r.layout());
    assertTrue(r.detected());
    assertEquals(folder + "/data", r.source());
    assertEquals(USERS_COLUMNS, columns(r));
    assertEquals(USERS, users(r));
    assertEquals(List.of(10L, 8L, 2L), List.of(r.rowsRead(), r.rowsKept(), r.duplicatesDropped()));
    assertEquals(List.of(), r.ignoredColumns());
    assertEquals("read SageMaker offline store of users (glue, detected) " + folder + "/data: read 10, exact "
        + "duplicates dropped 2, kept 8", r.summary());

    // SageMaker's ResolvedOutputS3Uri (the data folder), and the layout named: the same rows
    Result data = SageMakerOfflineStore.read(spark, store.definition(), folder + "/data", Optional.of(Layout.GLUE));
    assertFalse(data.detected());
    assertEquals(folder + "/data", data.source());
    assertEquals(USERS, users(data));
  }

  @Test
  void icebergLayoutIsReadFromItsNewestMetadataFile() {
    Store store = SageMakerStores.users();
    String folder = SageMakerStores.writeIceberg(spark, store, SageMakerStores.groupFolder(localRoot("iceberg"),
        store));

    Result r = SageMakerOfflineStore.read(spark, store.definition(), folder);

    assertEquals(Layout.ICEBERG, r.layout());
    assertTrue(r.detected());
    // created (00000), then two appends: the newest is the third, as a Glue catalog names them
    assertTrue(r.source().matches(Pattern.quote(folder) + "/metadata/00002-[0-9a-f-]{36}\\.metadata\\.json"),
        r.source());
    assertEquals(USERS_COLUMNS, columns(r));
    assertEquals(USERS, users(r));
    assertEquals(List.of(10L, 8L, 2L), List.of(r.rowsRead(), r.rowsKept(), r.duplicatesDropped()));
    // the List feature the Tidemark definition left out
    assertEquals(List.of("RecentProductIds"), r.ignoredColumns());
    assertTrue(r.summary().endsWith(": read 10, exact duplicates dropped 2, kept 8; columns not in the "
        + "definition, not read: RecentProductIds"), r.summary());

    // from the data folder (ResolvedOutputS3Uri), and from a metadata file named as the location
    Result fromData = SageMakerOfflineStore.read(spark, store.definition(), folder + "/data",
        Optional.of(Layout.ICEBERG));
    assertEquals(r.source(), fromData.source());
    assertEquals(USERS, users(fromData));
    Result fromFile = SageMakerOfflineStore.read(spark, store.definition(), r.source());
    assertEquals(List.of(Layout.ICEBERG, true), List.of(fromFile.layout(), fromFile.detected()));
    assertEquals(USERS, users(fromFile));
  }

  @Test
  void icebergTableOfAHadoopCatalogAndAStringEventTime() {
    Store store = SageMakerStores.products(EventTime.STRING);
    String folder = SageMakerStores.writeIceberg(spark, store, SageMakerStores.groupFolder(localRoot("hadoop"),
        store), false);

    Result r = SageMakerOfflineStore.read(spark, store.definition(), folder);

    assertEquals(folder + "/metadata/v3.metadata.json", r.source());
    assertEquals("product_id string, category string, price double, avg_rating double, stock_level bigint, "
        + "event_time string, write_time timestamp, api_invocation_time timestamp, is_deleted boolean", columns(r));
    assertEquals(PRODUCTS_ISO, Rows.sorted(r.rows()));
    assertEquals(List.of(7L, 6L, 1L), List.of(r.rowsRead(), r.rowsKept(), r.duplicatesDropped()));
  }

  @Test
  void glueLayoutWithAFractionalEventTimeAndNoRenames() {
    Store store = SageMakerStores.products(EventTime.FRACTIONAL);
    String folder = SageMakerStores.writeGlue(spark, store, SageMakerStores.groupFolder(localRoot("products"),
        store));

    Result r = SageMakerOfflineStore.read(spark, store.definition(), folder, Optional.of(Layout.GLUE));

    assertEquals(List.of("[p001,1714565100.000,12.99]", "[p001,1714571100.000,11.49]",
        "[p002,1714566600.125,25.0]", "[p003,1714573200.000,8.0]", "[p003,1714579200.000,null]",
        "[p004,1714573500.000,-4.99]"), Rows.sorted(r.rows().selectExpr("product_id",
        "CAST(event_time AS DECIMAL(14,3))", "price")));
    assertEquals(List.of(7L, 6L, 1L), List.of(r.rowsRead(), r.rowsKept(), r.duplicatesDropped()));
    assertEquals("double", r.rows().schema().apply("event_time").dataType().simpleString());
  }

  @Test
  void glueAndIcebergLayoutsOnS3() {
    S3MockServer server = S3MockServer.get();
    Map<String, String> settings = new HashMap<>(server.settings());
    TidemarkConfig config = TidemarkConfig.forHome(TestSpark.target("sagemaker-stores", "s3-home"), settings);
    S3Settings.apply(spark, config);
    Configuration shared = spark.sparkContext().hadoopConfiguration();
    shared.set("fs.s3a.attempts.maximum", "2");
    shared.set("fs.s3a.retry.limit", "2");
    String prefix = "sagemaker-stores/s3_" + DIRS.incrementAndGet();
    Store users = SageMakerStores.users();
    String glue = SageMakerStores.writeGlue(spark, users,
        SageMakerStores.groupFolder("s3a://" + BUCKET + "/" + prefix + "/glue", users));
    List<String> keys = server.keys(BUCKET, prefix + "/glue/");
    assertEquals(6, keys.stream().filter(k -> k.matches(".*/offline-store/Customer-Profiles-1714564800/data/"
        + "year=2024/month=05/day=01/hour=1[2-5]/20240501T1[2-5][0-9]{4}Z_[A-Za-z0-9]{16}\\.parquet")).count(), keys.toString());

    // s3:// (what SageMaker's S3Uri says) is served by S3A as well
    String s3 = glue.replace("s3a://", "s3://");
    Result r = SageMakerOfflineStore.read(spark, users.definition(), s3);
    assertEquals(List.of(Layout.GLUE, s3 + "/data"), List.of(r.layout(), r.source()));
    assertEquals(USERS, users(r));
    assertEquals(List.of(10L, 8L, 2L), List.of(r.rowsRead(), r.rowsKept(), r.duplicatesDropped()));

    String iceberg = SageMakerStores.writeIceberg(spark, users,
        SageMakerStores.groupFolder("s3a://" + BUCKET + "/" + prefix + "/iceberg", users));
    Result i = SageMakerOfflineStore.read(spark, users.definition(), iceberg);
    assertEquals(Layout.ICEBERG, i.layout());
    assertTrue(i.source().startsWith(iceberg + "/metadata/00002-"), i.source());
    assertEquals(USERS, users(i));
  }

  @Test
  void refusalsNameTheLocationAndWhatWasExpected() throws IOException {
    Store store = SageMakerStores.users();
    FeatureGroup users = store.definition();
    String root = localRoot("refusals");

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, root + "/no-such-group-1714564800"));
    assertEquals("SageMaker offline store location '" + root + "/no-such-group-1714564800' does not exist; give the "
        + "feature group's folder (.../offline-store/<group>-<epoch>), its data/ folder (ResolvedOutputS3Uri of "
        + "DescribeFeatureGroup) or an Iceberg metadata file (.../metadata/<version>.metadata.json)",
        missing.getMessage());

    IllegalArgumentException layout = assertThrows(IllegalArgumentException.class, () -> Layout.parse("delta"));
    assertEquals("unknown SageMaker offline store layout 'delta'; use glue (TableFormat Glue, SageMaker's default: "
        + "Parquet under data/year=/month=/day=/hour=), iceberg (TableFormat Iceberg: data/ and metadata/) or auto "
        + "(detect: iceberg when metadata/*.metadata.json exists)", layout.getMessage());
    assertEquals(Optional.empty(), Layout.parse("auto"));
    assertEquals(Optional.of(Layout.ICEBERG), Layout.parse("Iceberg"));

    // a group folder SageMaker created but has not written to yet (only a marker file)
    Path empty = Path.of(root, "empty-1714564800", "data");
    Files.createDirectories(empty);
    Files.writeString(empty.resolve("_SUCCESS"), "");
    IllegalArgumentException noData = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, empty.getParent().toString()));
    assertEquals("SageMaker offline store location '" + empty.getParent() + "' has no data: no Parquet files under "
        + empty + " (SageMaker writes them under data/year=YYYY/month=MM/day=DD/hour=HH/ within 15 minutes of "
        + "PutRecord)", noData.getMessage());
    IllegalArgumentException notIceberg = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, empty.getParent().toString(), Optional.of(Layout.ICEBERG)));
    assertEquals("SageMaker offline store location '" + empty.getParent() + "' is not an Iceberg table: no "
        + empty.getParent() + "/metadata/*.metadata.json", notIceberg.getMessage());

    // a feature whose SageMaker column is not in the files
    String glue = SageMakerStores.writeGlue(spark, store, SageMakerStores.groupFolder(root, store));
    FeatureGroup renamed = users.withSageMaker(users.sagemaker().map(o -> new SageMakerOrigin(o.featureGroupName(),
        Map.of("user_id", "CustomerId", "age", "CustomerAge", "membership_tier", "MembershipTier",
            "total_purchases", "TotalPurchases", "avg_order_value", "AvgOrderValue", "event_time", "EventTime"),
        o.offlineS3Uri())));
    IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, renamed, glue));
    assertEquals("SageMaker offline store '" + glue + "' (glue, " + glue + "/data) does not hold group users as "
        + "defined in " + users.file() + " (1 problem):\n"
        + "  feature 'age' (SageMaker 'CustomerAge'): no such column\n"
        + "  columns in the files: CustomerId string, Age bigint, MembershipTier string, TotalPurchases bigint, "
        + "AvgOrderValue double, EventTime double, write_time timestamp, api_invocation_time timestamp, "
        + "is_deleted boolean", column.getMessage());

    // the Glue store read with the Iceberg layout, and an Iceberg store read as Glue
    IllegalArgumentException glueAsIceberg = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, glue, Optional.of(Layout.ICEBERG)));
    assertEquals("SageMaker offline store location '" + glue + "' is not an Iceberg table: no " + glue
        + "/metadata/*.metadata.json (it has Parquet files: read it with layout glue)", glueAsIceberg.getMessage());
    String iceberg = SageMakerStores.writeIceberg(spark, store, SageMakerStores.groupFolder(root + "/ib", store));
    IllegalArgumentException icebergAsGlue = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, iceberg, Optional.of(Layout.GLUE)));
    assertTrue(icebergAsGlue.getMessage().matches("SageMaker offline store location '" + Pattern.quote(iceberg)
        + "' holds an Iceberg table \\(" + Pattern.quote(iceberg) + "/metadata/00002-[0-9a-f-]{36}\\.metadata"
        + "\\.json\\); read it with layout iceberg: its data/ folder also holds files Iceberg has replaced "
        + "\\(compaction\\) or deleted, which a glue read would count again"), icebergAsGlue.getMessage());
  }

  @Test
  void aTypeSageMakerWouldNotWriteIsRefusedWithEveryProblem() {
    Store store = SageMakerStores.products(EventTime.FRACTIONAL);
    String folder = SageMakerStores.writeGlue(spark, store, SageMakerStores.groupFolder(localRoot("types"), store));
    // products read as if it were users: every feature missing, and the definition says where it comes from
    FeatureGroup users = SageMakerStores.usersFromSageMaker();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, users, folder));
    assertTrue(e.getMessage().contains(" (6 problems):\n  feature 'user_id' (SageMaker 'CustomerId'): no such "
        + "column\n"), e.getMessage());

    // a Tidemark group whose price is Integral: SageMaker stored a double
    FeatureGroup integralPrice = new FeatureGroup(store.definition().name(), "", "", Map.of(), "product_id",
        "event_time", store.definition().eventTimeFormats(), store.definition().features().stream()
            .map(f -> f.name().equals("price") ? new io.tidemark.definitions.FeatureDefinition("price",
                io.tidemark.definitions.FeatureType.INTEGRAL, "", true) : f).toList(),
        Optional.empty(), store.definition().offline(), store.definition().online(), Optional.empty(), null, "");
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> SageMakerOfflineStore.read(spark, integralPrice, folder));
    assertEquals("SageMaker offline store '" + folder + "' (glue, " + folder + "/data) does not hold group "
        + "products as defined (1 problem):\n  feature 'price': stored as double, expected bigint\n"
        + "  columns in the files: product_id string, category string, price double, avg_rating double, "
        + "stock_level bigint, event_time double, write_time timestamp, api_invocation_time timestamp, "
        + "is_deleted boolean", type.getMessage());
  }
}
