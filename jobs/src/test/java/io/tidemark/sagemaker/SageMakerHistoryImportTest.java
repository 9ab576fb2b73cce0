package io.tidemark.sagemaker;

import static io.tidemark.testing.CliRuns.run;
import static io.tidemark.testing.S3MockServer.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.cli.TidemarkCli;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.CliRuns.Run;
import io.tidemark.testing.CliRuns;
import io.tidemark.testing.Rows;
import io.tidemark.testing.S3MockServer;
import io.tidemark.testing.SageMakerStores.EventTime;
import io.tidemark.testing.SageMakerStores.Store;
import io.tidemark.testing.SageMakerStores;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * {@code import-sagemaker FILE --history LOCATION} end to end: the definition from a DescribeFeatureGroup response,
 * the history from the group's offline store (Glue layout on the local file system, Iceberg on the S3 test server),
 * then a training set over the imported group, compared with the as-of answer computed by brute force from the raw
 * SageMaker rows.
 */
class SageMakerHistoryImportTest {
  private static String fixture(String name) throws Exception {
    return Path.of(SageMakerHistoryImportTest.class.getResource("/sagemaker/" + name).toURI()).toString();
  }

  private static Run cli(TestStore project, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", project.path("tidemark.yaml").toString(), "--definitions",
        project.path("feature-definitions").toString()));
    return run(() -> TidemarkCli.runWith(project.spark(), all.toArray(String[]::new)));
  }

  @Test
  void glueStoreOnTheLocalFileSystemThenAgainAfterItGrew() throws Exception {
    TestStore project = CliRuns.project("sm_history_glue");
    Store products = SageMakerStores.products(EventTime.STRING);
    String folder = SageMakerStores.writeGlue(project.spark(), products,
        SageMakerStores.groupFolder(project.path("sagemaker").toString(), products));
    String table = project.database + ".products";

    Run first = cli(project, "import-sagemaker", fixture("products.json"), "--history", folder);
    assertEquals(0, first.exit(), first.err());
    List<String> lines = first.out().lines().toList();
    assertEquals("import-sagemaker products -> " + project.path("feature-definitions/products.yaml")
        + ": 6 features, 6 report lines", lines.get(0));
    assertEquals(List.of(
        "read SageMaker offline store of products (glue, detected) " + folder + "/data: read 7, exact duplicates "
            + "dropped 1, kept 6",
        "import-sagemaker products: 7 rows in the SageMaker store = 1 exact duplicates + 0 already in " + table
            + " + 6 written + 0 quarantined"), List.of(lines.get(7), lines.get(9)));
    assertTrue(lines.get(8).startsWith("import products: read 6, written 6, quarantined 0 -> " + table + " [batch "),
        lines.get(8));

    // the offline table as Spark reads its Parquet files: SageMaker's write_time and api_invocation_time kept, the
    // tombstone a tombstone, the redelivered p001 once (its first write, 13:55)
    List<String> stored = List.of(
        "[p001,books,11.49,4.6,38,2024-05-01T13:45:00Z,2024-05-01T13:55:00Z,2024-05-01T13:45:00Z,false,2024-05-01]",
        "[p001,books,12.99,4.5,40,2024-05-01T12:05:00Z,2024-05-01T12:15:00Z,2024-05-01T12:05:00Z,false,2024-05-01]",
        "[p002,toys,25.0,null,7,2024-05-01T12:30:00.125Z,2024-05-01T12:45:00Z,2024-05-01T12:30:01Z,false,2024-05-01]",
        "[p003,garden,8.0,3.9,0,2024-05-01T14:20:00Z,2024-05-01T14:30:00Z,2024-05-01T14:20:00Z,false,2024-05-01]",
        "[p003,null,null,null,null,2024-05-01T16:00:00Z,2024-05-01T16:10:00Z,2024-05-01T16:00:00Z,true,2024-05-01]",
        "[p004,garden,-4.99,null,3,2024-05-01T14:25:00Z,2024-05-01T14:30:00Z,2024-05-01T14:25:00Z,false,2024-05-01]");
    assertEquals(stored, offlineRows(project, "products"));

    // the same command again: the definition is unchanged and the batch was committed: nothing written
    Run again = cli(project, "import-sagemaker", fixture("products.json"), "--history", folder);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().startsWith("import-sagemaker products -> " + project.path("feature-definitions/products"
        + ".yaml") + " (unchanged): 6 features"), again.out());
    assertTrue(again.out().contains("\nimport products: this input was already committed to " + table),
        again.out());
    assertEquals(stored, offlineRows(project, "products"));

    // SageMaker delivers an hour more: a new record, and p002 redelivered (written later): only p005 is new
    List<Row> more = List.of(
        RowFactory.create("p005", "toys", 3.5, 4.0, 12L, "2024-05-01T17:05:00Z", ts("17:15:00"), ts("17:05:00"), false),
        RowFactory.create("p002", "toys", 25.0, null, 7L, "2024-05-01T12:30:00.125Z", ts("17:20:00"), ts("12:30:01"),
            false));
    project.spark().createDataFrame(more, products.schema()).coalesce(1).write().mode(SaveMode.Append)
        .parquet(folder + "/data/year=2024/month=05/day=01/hour=17");
    Run grown = cli(project, "import-sagemaker", "--group", "products", "--history", folder, "--layout", "glue");
    assertEquals(0, grown.exit(), grown.err());
    List<String> grownLines = grown.out().lines().toList();
    assertEquals("read SageMaker offline store of products (glue, as asked) " + folder + "/data: read 9, exact "
        + "duplicates dropped 2, kept 7", grownLines.get(0));
    assertTrue(grownLines.get(1).startsWith("import products: read 7, written 1, quarantined 0, already in the "
        + "table 6 -> " + table), grownLines.get(1));
    assertEquals("import-sagemaker products: 9 rows in the SageMaker store = 2 exact duplicates + 6 already in "
        + table + " + 1 written + 0 quarantined", grownLines.get(2));
    List<String> grownStored = new ArrayList<>(stored);
    grownStored.add("[p005,toys,3.5,4.0,12,2024-05-01T17:05:00Z,2024-05-01T17:15:00Z,2024-05-01T17:05:00Z,false,"
        + "2024-05-01]");
    assertEquals(grownStored, offlineRows(project, "products"));

    List<Row> raw = new ArrayList<>(products.rows());
    raw.addAll(more);
    raw = withSchema(raw, products);
    List<String[]> spine = List.of(new String[] {"p001", "2024-05-01T12:10:00Z"},
        new String[] {"p001", "2024-05-01T14:00:00Z"}, new String[] {"p002", "2024-05-01T12:30:00.125Z"},
        new String[] {"p002", "2024-05-01T12:30:00.124Z"}, new String[] {"p003", "2024-05-01T15:00:00Z"},
        new String[] {"p003", "2024-05-01T16:30:00Z"}, new String[] {"p004", "2024-05-01T15:00:00Z"},
        new String[] {"p005", "2024-05-01T18:00:00Z"}, new String[] {"p009", "2024-05-01T18:00:00Z"});
    assertTrainingSetMatchesBruteForce(project, project.registry().group("products"), raw, spine,
        List.of("category", "price", "avg_rating", "stock_level"), Map.of(), row -> false, List.of(
            "[p001,2024-05-01T14:00:00Z,books,11.49,4.6,38]", "[p002,2024-05-01T12:30:00.124Z,null,null,null,null]",
            "[p002,2024-05-01T12:30:00.125Z,toys,25.0,null,7]", "[p003,2024-05-01T16:30:00Z,null,null,null,null]",
            "[p004,2024-05-01T15:00:00Z,garden,-4.99,null,3]", "[p005,2024-05-01T18:00:00Z,toys,3.5,4.0,12]"));
  }

  @Test
  void icebergStoreOnS3IntoAnImportedDefinitionWithARuleAdded() throws Exception {
    S3MockServer server = S3MockServer.get();
    TestStore project = new TestStore("sm_history_iceberg");
    Map<String, String> s3 = server.settings();
    project.write("tidemark.yaml", "offline:\n  root: " + project.path("offline") + "\ncatalog:\n  database: "
        + project.database + "\ns3:\n  endpoint: " + s3.get("s3.endpoint") + "\n  path_style: true\n  access_key: "
        + s3.get("s3.access_key") + "\n  secret_key: " + s3.get("s3.secret_key") + "\n");
    Run definition = cli(project, "import-sagemaker", fixture("customer-profiles.json"), "--skip-unsupported");
    assertEquals(0, definition.exit(), definition.err());
    // the team adds the rule SageMaker never had: ages 13 to 120
    Path yaml = project.path("feature-definitions/customer_profiles.yaml");
    String text = Files.readString(yaml);
    String age = "  - name: age\n    type: Integral\n";
    assertTrue(text.contains(age), text);
    Files.writeString(yaml, text.replace(age, age + "    rules:\n      - {min: 13, max: 120}\n"));

    Store users = SageMakerStores.users();
    io.tidemark.runtime.S3Settings.apply(project.spark(), io.tidemark.config.TidemarkConfig.forHome(
        project.path("home"), s3));
    String folder = SageMakerStores.writeIceberg(project.spark(), users, SageMakerStores.groupFolder("s3a://" + BUCKET
        + "/sm-history-" + project.database, users)).replace("s3a://", "s3://");
    String table = project.database + ".customer_profiles";

    Run history = cli(project, "import-sagemaker", "--group", "customer_profiles", "--history", folder);
    assertEquals(0, history.exit(), history.err());
    List<String> lines = history.out().lines().toList();
    assertTrue(lines.get(0).startsWith("read SageMaker offline store of customer_profiles (iceberg, detected) "
        + folder + "/metadata/00002-"), lines.get(0));
    // RecentProductIds (a list) is in the Iceberg store; ProfileEmbedding (a vector) never reaches an offline store
    assertTrue(lines.get(0).endsWith(".metadata.json: read 10, exact duplicates dropped 2, kept 8; collection "
        + "features not in the offline store (SageMaker keeps them online only), read as null: ProfileEmbedding"),
        lines.get(0));
    assertTrue(lines.get(1).startsWith("import customer_profiles: read 8, written 7 (1 file), quarantined 1 (age: rule "
        + "min 13, max 120 failed: 1) -> " + table + " v1 [batch "), lines.get(1));
    assertEquals("import-sagemaker customer_profiles: 10 rows in the SageMaker store = 2 exact duplicates + 0 already "
        + "in " + table + " + 7 written + 1 quarantined", lines.get(2));

    // the refused row, with its reason and the row as read (SageMaker's names mapped to Tidemark's)
    List<String> quarantined = Rows.sorted(project.spark().table(project.database + ".customer_profiles__quarantine")
        .selectExpr("source", "concat_ws('; ', reasons)", "get_json_object(raw_row, '$.customer_id')",
            "get_json_object(raw_row, '$.age')"));
    assertEquals(List.of("[SageMaker offline store " + folder + " (iceberg),age: rule min 13, max 120 failed: '230',"
        + "u004,230]"), quarantined);

    List<String> stored = List.of(
        "[u001,34,gold,12,41.5,2024-05-01T12:00:00Z,2024-05-01T12:10:00Z,2024-05-01T12:00:01Z,false]",
        "[u001,34,platinum,13,43.0,2024-05-01T13:00:00Z,2024-05-01T13:15:00Z,2024-05-01T13:00:02Z,false]",
        "[u002,27,silver,3,18.25,2024-05-01T12:10:00.500Z,2024-05-01T12:20:00Z,2024-05-01T12:10:01Z,false]",
        "[u002,null,null,null,null,2024-05-01T15:00:00Z,2024-05-01T15:12:00Z,2024-05-01T15:00:05Z,true]",
        "[u003,19,bronze,0,null,2024-05-01T14:00:00.250Z,2024-05-01T14:10:00Z,2024-05-01T14:00:01Z,false]",
        "[u003,19,bronze,1,9.99,2024-05-01T14:00:00.250Z,2024-05-01T14:10:00Z,2024-05-01T14:05:00Z,false]",
        "[u005,45,silver,2,30.0,2024-05-01T15:30:00Z,2024-05-01T15:40:00Z,2024-05-01T15:30:00Z,false]");
    assertEquals(stored, Rows.sorted(project.spark().table(table).selectExpr("customer_id", "age",
        "membership_tier", "total_purchases", "avg_order_value", "event_time", "write_time", "api_invocation_time",
        "is_deleted")));

    Run again = cli(project, "import-sagemaker", "--group", "customer_profiles", "--history", folder);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("\nimport customer_profiles: this input was already committed to " + table),
        again.out());

    List<String[]> spine = List.of(new String[] {"u001", "2024-05-01T12:30:00Z"},
        new String[] {"u001", "2024-05-01T13:00:00Z"}, new String[] {"u002", "2024-05-01T14:59:59Z"},
        new String[] {"u002", "2024-05-01T15:00:00Z"}, new String[] {"u003", "2024-05-01T14:00:00.250Z"},
        new String[] {"u004", "2024-05-01T16:00:00Z"}, new String[] {"u005", "2024-05-01T15:29:59Z"},
        new String[] {"u005", "2024-05-02T00:00:00Z"});
    assertTrainingSetMatchesBruteForce(project, project.registry().group("customer_profiles"),
        withSchema(users.rows(), users), spine,
        List.of("age", "membership_tier", "total_purchases", "avg_order_value"),
        Map.of("customer_id", "CustomerId", "event_time", "EventTime", "age", "Age", "membership_tier",
            "MembershipTier", "total_purchases", "TotalPurchases", "avg_order_value", "AvgOrderValue"),
        // the rule the team added: Tidemark refuses these rows, so the brute force skips them too
        row -> {
          Object a = row.get(row.fieldIndex("Age"));
          return a != null && ((Long) a < 13 || (Long) a > 120);
        }, List.of("[u001,2024-05-01T13:00:00Z,34,platinum,13,43.0]", "[u002,2024-05-01T14:59:59Z,27,silver,3,18.25]",
            "[u002,2024-05-01T15:00:00Z,null,null,null,null]", "[u003,2024-05-01T14:00:00.250Z,19,bronze,1,9.99]",
            "[u004,2024-05-01T16:00:00Z,null,null,null,null]"));
  }

  /**
   * Builds a training set over the imported group and compares it with the brute-force answer from the raw
   * SageMaker rows (redeliveries included): for each spine row, of the id's rows with event time <= the spine
   * time, the greatest by (event time, write_time, is_deleted, the values in order); a tombstone or no row gives
   * nulls.
   */
  private static void assertTrainingSetMatchesBruteForce(TestStore project, FeatureGroup group, List<Row> raw,
      List<String[]> spine, List<String> features, Map<String, String> sageMakerNames,
      java.util.function.Predicate<Row> refused, List<String> pinned) throws Exception {
    StringBuilder csv = new StringBuilder("entity,ts\n");
    spine.forEach(s -> csv.append(s[0]).append(',').append(s[1]).append('\n'));
    String spineFile = "raw/spine-" + group.name() + ".csv";
    project.write(spineFile, csv.toString());
    String output = project.path("out/" + group.name()).toString();
    project.tidemark().trainingSet().spine(project.path(spineFile).toString(), SourceFormat.CSV)
        .spineTimeColumn("ts").joinKey(group.name(), "entity").features(group.name(), features)
        .output(output, OutputFormat.PARQUET).execute();
    List<String> columns = new ArrayList<>(List.of("entity", "ts"));
    columns.addAll(features);
    List<String> actual = Rows.sorted(project.spark().read().parquet(output).selectExpr(columns.toArray(
        String[]::new)));

    String id = sageMakerNames.getOrDefault(group.recordIdentifier(), group.recordIdentifier());
    String eventTime = sageMakerNames.getOrDefault(group.eventTime(), group.eventTime());
    List<String> expected = new ArrayList<>();
    for (String[] s : spine) {
      Instant at = Instant.parse(s[1]);
      Optional<Row> winner = raw.stream()
          .filter(r -> r.get(r.fieldIndex(id)).equals(s[0]) && !refused.test(r))
          .filter(r -> !eventInstant(r.get(r.fieldIndex(eventTime))).isAfter(at))
          .max(Comparator.<Row, Instant>comparing(r -> eventInstant(r.get(r.fieldIndex(eventTime))))
              .thenComparing(r -> r.getTimestamp(r.fieldIndex("write_time")))
              .thenComparing(r -> r.getBoolean(r.fieldIndex("is_deleted")))
              .thenComparing((a, b) -> compareValues(a, b, features, sageMakerNames)));
      StringBuilder row = new StringBuilder("[" + s[0] + "," + Instant.parse(s[1]));
      for (String f : features) {
        Object v = winner.filter(w -> !w.getBoolean(w.fieldIndex("is_deleted")))
            .map(w -> w.get(w.fieldIndex(sageMakerNames.getOrDefault(f, f)))).orElse(null);
        row.append(',').append(v);
      }
      expected.add(row.append(']').toString());
    }
    expected.sort(null);
    // a few answers worked out by hand, so a brute force gone wrong cannot agree with a wrong join
    assertTrue(expected.containsAll(pinned), expected.toString());
    assertEquals(expected, actual);
  }

  /** SageMaker's event time: ISO-8601 text or Fractional epoch seconds. */
  private static Instant eventInstant(Object value) {
    if (value instanceof String text) {
      return Instant.parse(text);
    }
    double seconds = (Double) value;
    long micros = Math.round(seconds * 1_000_000);
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L);
  }

  /** Spark's order of the values, feature by feature: null first. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Row a, Row b, List<String> features, Map<String, String> names) {
    for (String f : features) {
      String n = names.getOrDefault(f, f);
      Comparable x = (Comparable) a.get(a.fieldIndex(n));
      Comparable y = (Comparable) b.get(b.fieldIndex(n));
      int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static List<String> offlineRows(TestStore project, String group) {
    SparkSession spark = project.spark();
    return Rows.sorted(spark.table(project.database + "." + group).selectExpr("product_id", "category", "price",
        "avg_rating", "stock_level", "event_time", "write_time", "api_invocation_time", "is_deleted",
        "event_date"));
  }

  private static List<Row> withSchema(List<Row> rows, Store store) {
    return rows.stream().<Row>map(r -> {
      Object[] values = new Object[r.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.get(i);
      }
      return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, store.schema());
    }).toList();
  }

  private static Timestamp ts(String hms) {
    return Timestamp.from(Instant.parse("2024-05-01T" + hms + "Z"));
  }
}
