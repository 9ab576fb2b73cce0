package io.tidemark.asof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exact rows for every rule of the as-of join, on tiny inline histories, with both merge strategies. */
class AsOfJoinTest {
  static final StructType HISTORY = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("event_time", DataTypes.TimestampType, false)
      .add("v", DataTypes.LongType, true)
      .add("s", DataTypes.StringType, true)
      .add("write_time", DataTypes.TimestampType, false)
      .add("is_deleted", DataTypes.BooleanType, false);
  static final StructType SPINE = new StructType()
      .add("row", DataTypes.StringType, true)
      .add("id", DataTypes.StringType, true)
      .add("t", DataTypes.TimestampType, true);
  static final String W1 = "2024-01-01T00:00:00Z";
  static final String W2 = "2024-01-02T00:00:00Z";

  static SparkSession spark() {
    return TestSpark.get();
  }

  static Timestamp ts(String iso) {
    return iso == null ? null : Timestamp.from(Instant.parse(iso));
  }

  /** A history row: id, event time, v, s, write time, tombstone. */
  static Row h(String id, String event, Long v, String s, String write, boolean deleted) {
    return RowFactory.create(id, ts(event), v, s, ts(write), deleted);
  }

  static Row sp(String row, String id, String t) {
    return RowFactory.create(row, id, ts(t));
  }

  static Dataset<Row> frame(StructType schema, Row... rows) {
    return spark().createDataFrame(Arrays.asList(rows), schema);
  }

  static AsOfSource source(Dataset<Row> history, Optional<Duration> ttl) {
    return AsOfSource.of("g", history, "id", "id", "event_time", List.of("v", "s"), List.of("v", "s"), ttl);
  }

  /** Joined rows as "row|v|s", ordered by the row column. */
  static List<String> run(AsOfJoin.Strategy strategy, Dataset<Row> spine, Dataset<Row> history,
      Optional<Duration> ttl, AsOfOptions options) {
    AsOfJoin.Result r = AsOfJoin.on(spine, "t").add(source(history, ttl)).options(options).strategy(strategy)
        .join();
    List<Row> rows = r.rows().collectAsList();
    assertEquals(spine.count(), rows.size(), "one output row per spine row");
    List<String> out = new ArrayList<>();
    for (Row row : rows) {
      out.add(row.getString(0) + "|" + row.get(3) + "|" + row.get(4));
    }
    out.sort(null);
    return out;
  }

  static List<String> run(AsOfJoin.Strategy strategy, Dataset<Row> spine, Dataset<Row> history) {
    return run(strategy, spine, history, Optional.empty(), AsOfOptions.defaults());
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void inclusiveByDefaultStrictAndDelayMoveTheBoundary(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T09:00:00Z", 1L, "old", W1, false),
        h("a", "2024-03-01T10:00:00Z", 2L, "new", W1, false));
    Dataset<Row> spine = frame(SPINE,
        sp("r1", "a", "2024-03-01T10:00:00Z"),
        sp("r2", "a", "2024-03-01T09:59:59.999999Z"),
        sp("r3", "a", "2024-03-01T10:00:00.000001Z"),
        sp("r4", "a", "2024-03-01T11:00:00Z"),
        sp("r5", "a", "2024-03-01T10:59:59.999Z"));
    assertEquals(List.of("r1|2|new", "r2|1|old", "r3|2|new", "r4|2|new", "r5|2|new"),
        run(strategy, spine, history));
    assertEquals(List.of("r1|1|old", "r2|1|old", "r3|2|new", "r4|2|new", "r5|2|new"),
        run(strategy, spine, history, Optional.empty(), AsOfOptions.defaults().withStrict(true)));
    // delay 1h: rows need event_time <= t - 1h
    assertEquals(List.of("r1|1|old", "r2|null|null", "r3|1|old", "r4|2|new", "r5|1|old"),
        run(strategy, spine, history, Optional.empty(), AsOfOptions.defaults().withDelay(Duration.ofHours(1))));
    // strict and delay together: event_time < t - 1h
    assertEquals(List.of("r1|null|null", "r2|null|null", "r3|1|old", "r4|1|old", "r5|1|old"),
        run(strategy, spine, history, Optional.empty(),
            AsOfOptions.defaults().withDelay(Duration.ofHours(1)).withStrict(true)));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void ttlBoundIsInclusiveAndOneMillisecondOutsideIsExpired(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T10:00:00Z", 1L, "x", W1, false),
        h("b", "2024-02-01T10:00:00Z", 5L, "old", W1, false),
        h("b", "2024-03-01T10:00:00Z", 6L, "new", W1, false));
    Dataset<Row> spine = frame(SPINE,
        sp("r1", "a", "2024-03-02T10:00:00Z"),
        sp("r2", "a", "2024-03-02T10:00:00.001Z"),
        sp("r3", "a", "2024-03-01T10:00:00Z"),
        sp("r4", "b", "2024-03-01T09:00:00Z"),
        sp("r5", "b", "2024-02-02T10:00:00.001Z"));
    assertEquals(List.of("r1|1|x", "r2|null|null", "r3|1|x", "r4|null|null", "r5|null|null"),
        run(strategy, spine, history, Optional.of(Duration.ofDays(1)), AsOfOptions.defaults()));
    assertEquals(List.of("r1|1|x", "r2|1|x", "r3|1|x", "r4|5|old", "r5|5|old"),
        run(strategy, spine, history));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void tiesGoToTheLaterWriteThenTheTombstoneThenTheGreaterValues(AsOfJoin.Strategy strategy) {
    String e = "2024-03-01T10:00:00Z";
    Dataset<Row> history = frame(HISTORY,
        // cross-batch tie: the later write wins, whatever its values
        h("a", e, 9L, "first", W1, false),
        h("a", e, 1L, "second", W2, false),
        // same batch, same time: the tombstone wins
        h("b", e, 1L, "live", W1, false),
        h("b", e, null, null, W1, true),
        // same batch, same time, both live: greater v wins; on equal v, greater s; a value beats null
        h("c", e, 1L, "z", W1, false),
        h("c", e, 2L, "a", W1, false),
        h("d", e, 2L, "a", W1, false),
        h("d", e, 2L, "b", W1, false),
        h("f", e, null, "z", W1, false),
        h("f", e, 0L, "a", W1, false));
    Dataset<Row> spine = frame(SPINE, sp("ra", "a", e), sp("rb", "b", e), sp("rc", "c", e), sp("rd", "d", e),
        sp("rf", "f", e));
    assertEquals(List.of("ra|1|second", "rb|null|null", "rc|2|a", "rd|2|b", "rf|0|a"), run(strategy, spine, history));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void tombstonesHideValuesUntilSupersededAndNullValuesPassThrough(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T00:00:00Z", 1L, "one", W1, false),
        h("a", "2024-03-02T00:00:00Z", null, null, W2, true),
        h("a", "2024-03-03T00:00:00Z", 3L, null, W2, false));
    Dataset<Row> spine = frame(SPINE,
        sp("r1", "a", "2024-03-01T12:00:00Z"),
        sp("r2", "a", "2024-03-02T00:00:00Z"),
        sp("r3", "a", "2024-03-02T23:59:59Z"),
        sp("r4", "a", "2024-03-03T00:00:00Z"));
    assertEquals(List.of("r1|1|one", "r2|null|null", "r3|null|null", "r4|3|null"), run(strategy, spine, history));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void everySpineRowComesOutOnceIncludingDuplicatesUnknownIdsEarlyTimesAndNulls(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T00:00:00Z", 1L, "one", W1, false));
    Dataset<Row> spine = frame(SPINE,
        sp("dup", "a", "2024-03-05T00:00:00Z"),
        sp("dup", "a", "2024-03-05T00:00:00Z"),
        sp("dup", "a", "2024-03-05T00:00:00Z"),
        sp("unknown", "zz", "2024-03-05T00:00:00Z"),
        sp("early", "a", "2024-02-01T00:00:00Z"),
        sp("nokey", null, "2024-03-05T00:00:00Z"),
        sp("notime", "a", null));
    assertEquals(List.of("dup|1|one", "dup|1|one", "dup|1|one", "early|null|null", "nokey|null|null",
        "notime|null|null", "unknown|null|null"), run(strategy, spine, history));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void asKnownAtIgnoresLateCorrectionsAndAsOfIgnoresLaterWrites(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T09:00:00Z", 1L, "early", "2024-03-01T09:30:00Z", false),
        // a correction of 10:00 written at 12:00
        h("a", "2024-03-01T10:00:00Z", 2L, "late", "2024-03-01T12:00:00Z", false));
    Dataset<Row> spine = frame(SPINE,
        sp("r1", "a", "2024-03-01T09:15:00Z"),
        sp("r2", "a", "2024-03-01T11:00:00Z"),
        sp("r3", "a", "2024-03-01T12:00:00Z"));
    assertEquals(List.of("r1|null|null", "r2|1|early", "r3|2|late"),
        run(strategy, spine, history, Optional.empty(), AsOfOptions.defaults().withAsKnownAt(true)));
    assertEquals(List.of("r1|1|early", "r2|2|late", "r3|2|late"), run(strategy, spine, history));
    AsOfOptions asOf = AsOfOptions.defaults().withAsOf(Optional.of(Instant.parse("2024-03-01T11:59:59.999999Z")));
    assertEquals(List.of("r1|1|early", "r2|1|early", "r3|1|early"),
        run(strategy, spine, history, Optional.empty(), asOf));
    AsOfOptions atWrite = AsOfOptions.defaults().withAsOf(Optional.of(Instant.parse("2024-03-01T12:00:00Z")));
    assertEquals(List.of("r1|1|early", "r2|2|late", "r3|2|late"),
        run(strategy, spine, history, Optional.empty(), atWrite));
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void sourcesOnTheSameKeyShareAPassAndOtherKeysGetTheirOwn(AsOfJoin.Strategy strategy) {
    StructType spineSchema = new StructType().add("row", DataTypes.StringType).add("user", DataTypes.StringType)
        .add("item", DataTypes.LongType).add("t", DataTypes.TimestampType);
    Dataset<Row> spine = spark().createDataFrame(List.of(
        RowFactory.create("r1", "u1", 7L, ts("2024-03-02T00:00:00Z")),
        RowFactory.create("r2", "u2", 8L, ts("2024-03-02T00:00:00Z"))), spineSchema);
    Dataset<Row> users = frame(HISTORY, h("u1", "2024-03-01T00:00:00Z", 10L, "gold", W1, false));
    Dataset<Row> scores = frame(HISTORY, h("u2", "2024-03-01T00:00:00Z", 20L, "s", W1, false));
    StructType itemSchema = new StructType().add("item_id", DataTypes.LongType).add("event_time",
        DataTypes.TimestampType).add("price", DataTypes.DoubleType).add("write_time", DataTypes.TimestampType)
        .add("is_deleted", DataTypes.BooleanType);
    Dataset<Row> items = spark().createDataFrame(List.of(
        RowFactory.create(7L, ts("2024-03-01T00:00:00Z"), 1.5, ts(W1), false)), itemSchema);
    AsOfJoin.Result r = AsOfJoin.on(spine, "t").strategy(strategy)
        .add(new AsOfSource("users", users, "user", "id", "event_time", List.of("v", "s"), List.of("s"),
            List.of("tier"), Optional.empty()))
        .add(new AsOfSource("items", items, "item", "item_id", "event_time", List.of("price"), List.of("price",
            "event_time"), List.of("price", "item_time"), Optional.empty()))
        .add(new AsOfSource("scores", scores, "user", "id", "event_time", List.of("v", "s"), List.of("v"),
            List.of("score"), Optional.empty()))
        .join();
    assertEquals(List.of("row", "user", "item", "t", "tier", "price", "item_time", "score"),
        Arrays.asList(r.rows().columns()));
    List<String> rows = r.rows().selectExpr("row", "user", "item", "CAST(t AS STRING)", "tier",
        "price", "CAST(item_time AS STRING)", "score").collectAsList().stream().map(Row::toString).sorted().toList();
    assertEquals(List.of("[r1,u1,7,2024-03-02 00:00:00,gold,1.5,2024-03-01 00:00:00,null]",
        "[r2,u2,8,2024-03-02 00:00:00,null,null,null,20]"), rows);
    assertEquals(List.of(new AsOfJoin.SourceStats("users", 1, 0, 1), new AsOfJoin.SourceStats("items", 1, 0, 1),
        new AsOfJoin.SourceStats("scores", 1, 0, 1)), r.stats());
    String plan = r.rows().queryExecution().executedPlan().toString();
    assertTrue(!plan.contains("RangeJoin") && !plan.contains("Window"), plan);
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void countsTellMatchedDeletedAndMissing(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY,
        h("a", "2024-03-01T00:00:00Z", 1L, "one", W1, false),
        h("b", "2024-03-01T00:00:00Z", null, null, W1, true),
        h("c", "2024-01-01T00:00:00Z", 1L, "old", W1, false));
    Dataset<Row> spine = frame(SPINE, sp("1", "a", "2024-03-02T00:00:00Z"), sp("2", "b", "2024-03-02T00:00:00Z"),
        sp("3", "c", "2024-03-02T00:00:00Z"), sp("4", "d", "2024-03-02T00:00:00Z"),
        sp("5", "a", "2024-03-02T00:00:00Z"));
    AsOfJoin.Result r = AsOfJoin.on(spine, "t").strategy(strategy)
        .add(source(history, Optional.of(Duration.ofDays(7)))).join();
    assertEquals(5, r.rows().collectAsList().size());
    assertEquals(List.of(new AsOfJoin.SourceStats("g", 2, 1, 2)), r.stats());
  }

  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void emptySpineGivesNoRows(AsOfJoin.Strategy strategy) {
    Dataset<Row> history = frame(HISTORY, h("a", "2024-03-01T00:00:00Z", 1L, "one", W1, false));
    assertEquals(List.of(), run(strategy, frame(SPINE), history));
  }

  @org.junit.jupiter.api.Test
  void badInputsAreRefusedWithWhatToDo() {
    Dataset<Row> history = frame(HISTORY, h("a", "2024-03-01T00:00:00Z", 1L, "one", W1, false));
    Dataset<Row> stringTime = spark().createDataFrame(List.of(RowFactory.create("1", "a", "2024-03-01")),
        new StructType().add("row", DataTypes.StringType).add("id", DataTypes.StringType)
            .add("t", DataTypes.StringType));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AsOfJoin.on(stringTime, "t").add(source(history, Optional.empty())).join());
    assertEquals("as-of join: spine time column 't' is string; cast it to timestamp (a UTC instant) first",
        e.getMessage());
    Dataset<Row> spine = frame(SPINE, sp("1", "a", "2024-03-01T00:00:00Z"));
    e = assertThrows(IllegalArgumentException.class, () -> AsOfJoin.on(spine, "t")
        .add(AsOfSource.of("g", history, "id", "id", "event_time", List.of("v"), List.of("row"), Optional.empty()))
        .join());
    assertTrue(e.getMessage().startsWith("as-of join: g: the history has no column 'row'"), e.getMessage());
  }

  /** Collections pass through, and a tie of event and write time goes to the greater collection (Spark's order). */
  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void collectionsPassThroughAndBreakTiesElementByElement(AsOfJoin.Strategy strategy) {
    StructType schema = new StructType().add("id", DataTypes.StringType, false)
        .add("event_time", DataTypes.TimestampType, false)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType), true)
        .add("vec", DataTypes.createArrayType(DataTypes.DoubleType), true)
        .add("write_time", DataTypes.TimestampType, false)
        .add("is_deleted", DataTypes.BooleanType, false);
    String e = "2024-03-01T10:00:00Z";
    Dataset<Row> history = frame(schema,
        // a: same event and write time; ["a","z"] < ["b"] (first element), ["a"] < ["a","z"] (shorter first)
        RowFactory.create("a", ts(e), List.of("a", "z").toArray(), new Double[] {9.0}, ts(W1), false),
        RowFactory.create("a", ts(e), List.of("b").toArray(), new Double[] {0.0}, ts(W1), false),
        RowFactory.create("a", ts(e), List.of("a").toArray(), new Double[] {9.0}, ts(W1), false),
        // b: equal tags, so the vectors decide: [1.0, 2.0] > [1.0, -3.0]; an empty list is the least
        RowFactory.create("b", ts(e), List.of("x").toArray(), new Double[] {1.0, -3.0}, ts(W1), false),
        RowFactory.create("b", ts(e), List.of("x").toArray(), new Double[] {1.0, 2.0}, ts(W1), false),
        RowFactory.create("b", ts(e), new String[0], new Double[] {5.0, 5.0}, ts(W1), false),
        // c: an empty list and a null collection pass through
        RowFactory.create("c", ts(e), new String[0], null, ts(W1), false));
    Dataset<Row> spine = frame(SPINE, sp("r1", "a", "2024-03-02T00:00:00Z"), sp("r2", "b", "2024-03-02T00:00:00Z"),
        sp("r3", "c", "2024-03-02T00:00:00Z"), sp("r4", "a", "2024-03-01T00:00:00Z"));
    AsOfJoin.Result r = AsOfJoin.on(spine, "t").add(AsOfSource.of("g", history, "id", "id", "event_time",
        List.of("tags", "vec"), List.of("tags", "vec"), Optional.empty())).strategy(strategy).join();
    List<String> out = new ArrayList<>();
    for (Row row : r.rows().collectAsList()) {
      out.add(row.getString(0) + "|" + row.getList(3) + "|" + (row.isNullAt(4) ? null : row.getList(4)));
    }
    out.sort(null);
    assertEquals(List.of("r1|[b]|[0.0]", "r2|[x]|[1.0, 2.0]", "r3|[]|null", "r4|null|null"), out);

    List<String> latest = new ArrayList<>();
    for (Row row : AsOf.latestPerKey(history, "id", "event_time", List.of("tags", "vec")).collectAsList()) {
      latest.add(row.getString(row.fieldIndex("id")) + "|" + row.getList(row.fieldIndex("tags")) + "|"
          + (row.isNullAt(row.fieldIndex("vec")) ? null : row.getList(row.fieldIndex("vec"))));
    }
    latest.sort(null);
    assertEquals(List.of("a|[b]|[0.0]", "b|[x]|[1.0, 2.0]", "c|[]|null"), latest);
  }
}
