package io.tidemark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.Tidemark;
import io.tidemark.definitions.WindowDefinition;
import io.tidemark.testing.TestStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Rules, data-quality records, multi-source transforms, window groups and backfills, end to end on Spark. */
class FeatureEngineeringTest {
  static List<String> rows(TestStore store, String sql) {
    return store.spark().sql(sql).collectAsList().stream().map(Row::toString).toList();
  }

  @Test
  void errorRulesQuarantineWarnRulesCountAndEveryBatchWritesADataQualityRecord() {
    TestStore store = new TestStore("rules").definition("users.yaml", """
        name: users
        record_identifier: user_id
        event_time: event_time
        features:
          - name: user_id
            type: String
            rules: [{regex: "^u[0-9]+$"}, {max_length: 4}]
          - name: age
            type: Integral
            rules: [{min: 0, max: 130}, {not_null: true, level: warn}]
          - name: tier
            type: String
            rules: [{allowed_values: [gold, silver]}]
          - {name: event_time, type: Timestamp}
        source: {path: "${raw_root}/users.csv", format: csv}
        """).write("raw/users.csv", """
        user_id,age,tier,event_time
        u1,30,gold,2024-05-01T00:00:00Z
        u2,,silver,2024-05-01T00:00:00Z
        u3,-4,gold,2024-05-01T00:00:00Z
        x4,40,gold,2024-05-01T00:00:00Z
        u55555,40,gold,2024-05-01T00:00:00Z
        u6,50,bronze,2024-05-01T00:00:00Z
        u7,50,,2024-05-01T00:00:00Z
        """);
    IngestResult r = store.tidemark().ingest("users").execute();
    assertEquals(List.of(7L, 3L, 4L), List.of(r.rowsRead(), r.rowsWritten(), r.rowsQuarantined()));
    assertEquals(Map.of("age: rule min 0, max 130 failed", 1L, "user_id: rule regex ^u[0-9]+$ failed", 1L,
        "user_id: rule max_length 4 failed", 1L, "tier: rule allowed_values [gold, silver] failed", 1L),
        r.quarantineReasons());
    assertEquals(Map.of("age: rule not_null (warn)", 1L), r.warnings());
    assertEquals(List.of("[u1,30,gold]", "[u2,null,silver]", "[u7,50,null]"),
        rows(store, "SELECT user_id, age, tier FROM " + store.database + ".users ORDER BY user_id"));
    assertEquals(List.of("[age: rule min 0, max 130 failed: '-4']"),
        rows(store, "SELECT array_join(reasons, ',') FROM " + store.database + ".users__quarantine "
            + "WHERE raw_row LIKE '%u3%'"));

    assertEquals(List.of("[ingest,7,3,4,0,1,1,0.3333333333333333,30.0,50.0,40.0,0,1]"), rows(store,
        "SELECT kind, rows_read, rows_written, rows_quarantined, rows_out_of_range, "
            + "quarantined_by_reason['tier: rule allowed_values [gold, silver] failed'], "
            + "features['age'].null_count, features['age'].null_rate, features['age'].min, features['age'].max, "
            + "features['age'].mean, features['user_id'].null_count, warnings_by_rule['age: rule not_null (warn)'] "
            + "FROM " + store.database + ".users__data_quality"));
  }

  @Test
  void aTransformJoinsNamedSources() {
    TestStore store = new TestStore("multi").definition("users.yaml", """
        name: users
        record_identifier: user_id
        event_time: event_time
        features:
          - {name: user_id, type: String}
          - {name: total_purchases, type: Integral}
          - {name: avg_order_value, type: Fractional}
          - {name: event_time, type: Timestamp}
        sources:
          profiles: {path: "${raw_root}/profiles.csv", format: csv}
          orders: {path: "${raw_root}/orders.json", format: json}
        transform: sql/users.sql
        """).write("sql/users.sql", """
        -- purchases up to each profile version: no value from the future
        SELECT p.user_id, count(o.amount) AS total_purchases, avg(o.amount) AS avg_order_value,
               p.updated_at AS event_time
        FROM {{profiles}} p LEFT JOIN {{orders}} o
          ON o.user_id = p.user_id AND CAST(o.at AS TIMESTAMP) <= CAST(p.updated_at AS TIMESTAMP)
        GROUP BY p.user_id, p.updated_at
        """).write("raw/profiles.csv", """
        user_id,updated_at
        u1,2024-05-02T00:00:00Z
        u1,2024-05-04T00:00:00Z
        u2,2024-05-02T00:00:00Z
        """).write("raw/orders.json", """
        {"user_id": "u1", "amount": 10.0, "at": "2024-05-01T00:00:00Z"}
        {"user_id": "u1", "amount": 20.0, "at": "2024-05-03T00:00:00Z"}
        {"user_id": "u1", "amount": 90.0, "at": "2024-05-05T00:00:00Z"}
        """);
    IngestResult r = store.tidemark().ingest("users").execute();
    assertEquals(3, r.rowsWritten());
    assertEquals(List.of("[u1,1,10.0,2024-05-02 00:00:00]", "[u1,2,15.0,2024-05-04 00:00:00]",
            "[u2,0,null,2024-05-02 00:00:00]"),
        rows(store, "SELECT user_id, total_purchases, avg_order_value, CAST(event_time AS STRING) FROM "
            + store.database + ".users ORDER BY user_id, event_time"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.tidemark()
        .ingest("users").source("/tmp/x.csv", io.tidemark.definitions.SourceFormat.CSV));
    assertEquals("this group reads 2 sources (profiles, orders); --source replaces only a single source",
        e.getMessage());
  }

  static final String WINDOWS = """
      name: user_windows
      record_identifier: user_id
      event_time: event_time
      features:
        - {name: user_id, type: String}
        - {name: event_time, type: Timestamp}
        - {name: purchases_2d, type: Integral}
        - {name: amount_2d, type: Fractional}
        - {name: products_4d, type: Integral}
      source: {path: "${raw_root}/tx.csv", format: csv}
      windows:
        key_column: uid
        time_column: at
        aggregations:
          - {feature: purchases_2d, function: count, window: 2d}
          - {feature: amount_2d, function: sum, column: amount, window: 2d}
          - {feature: products_4d, function: count_distinct, column: product, window: 4d}
      """;

  static final String TX = """
      uid,amount,product,at
      u1,10,p1,2024-05-01T00:00:00Z
      u1,5,p2,2024-05-02T00:00:00Z
      u1,1,p1,2024-05-02T00:00:00Z
      u2,7,p9,2024-05-03T12:00:00Z
      u1,oops,p1,2024-05-02T00:00:00Z
      """;

  @Test
  void windowGroupEmitsARowAtEveryChangeAndQuarantinesBadEvents() {
    TestStore store = new TestStore("windows").definition("user_windows.yaml", WINDOWS).write("raw/tx.csv", TX);
    IngestResult r = store.tidemark().ingest("user_windows").execute();
    assertEquals(List.of(5L, 4L, 1L, 9L), List.of(r.rowsRead(), r.rowsAccepted(), r.rowsQuarantined(),
        r.rowsWritten()));
    assertEquals(Map.of("amount: not a Fractional", 1L), r.quarantineReasons());
    assertEquals(List.of(
            "[u1,2024-05-01 00:00:00,1,10.0,1]",
            "[u1,2024-05-02 00:00:00,3,16.0,2]",
            "[u1,2024-05-03 00:00:00,2,6.0,2]",   // the 05-01 event left the 2d window
            "[u1,2024-05-04 00:00:00,0,null,2]",
            "[u1,2024-05-05 00:00:00,0,null,2]",  // 05-01 left the 4d window; p1 still counted from 05-02
            "[u1,2024-05-06 00:00:00,0,null,0]",
            "[u2,2024-05-03 12:00:00,1,7.0,1]",
            "[u2,2024-05-05 12:00:00,0,null,1]",
            "[u2,2024-05-07 12:00:00,0,null,0]"),
        rows(store, "SELECT user_id, CAST(event_time AS STRING), purchases_2d, amount_2d, products_4d FROM "
            + store.database + ".user_windows ORDER BY user_id, event_time"));
  }

  @Test
  void dailyEmitWritesOneRowPerKeyAtEachMidnightAfterAChange() {
    TestStore store = new TestStore("windows_daily").definition("user_windows.yaml", WINDOWS).write("raw/tx.csv", TX);
    IngestResult r = store.tidemark().ingest("user_windows").emit(WindowDefinition.Emit.DAILY).execute();
    assertEquals(9, r.rowsWritten());
    assertEquals(List.of(
            "[u2,2024-05-04 00:00:00,1,7.0,1]",
            "[u2,2024-05-06 00:00:00,0,null,1]",
            "[u2,2024-05-08 00:00:00,0,null,0]"),
        rows(store, "SELECT user_id, CAST(event_time AS STRING), purchases_2d, amount_2d, products_4d FROM "
            + store.database + ".user_windows WHERE user_id = 'u2' ORDER BY event_time"));
  }

  @Test
  void backfillReplacesItsRangeAndRangesInAnyOrderGiveTheSameTable() {
    TestStore a = new TestStore("backfill_a").definition("user_windows.yaml", WINDOWS).write("raw/tx.csv", TX);
    TestStore b = new TestStore("backfill_b").definition("user_windows.yaml", WINDOWS).write("raw/tx.csv", TX);
    Tidemark ta = a.tidemark();
    Tidemark tb = b.tidemark();
    Instant d1 = Instant.parse("2024-05-01T00:00:00Z");
    Instant d3 = Instant.parse("2024-05-03T00:00:00Z");
    Instant d9 = Instant.parse("2024-05-09T00:00:00Z");
    ta.ingest("user_windows").range(d1, d3).execute();
    ta.ingest("user_windows").range(d3, d9).execute();
    tb.ingest("user_windows").range(d3, d9).execute();
    IngestResult firstHalf = tb.ingest("user_windows").range(d1, d3).execute();
    IngestResult rerun = tb.ingest("user_windows").range(d1, d3).force(true).execute();
    assertEquals(2, firstHalf.rowsWritten());
    assertEquals(2, rerun.rowsWritten());

    String q = "SELECT user_id, CAST(event_time AS STRING), purchases_2d, amount_2d, products_4d FROM %s"
        + ".user_windows ORDER BY user_id, event_time";
    List<String> expected = rows(a, String.format(q, a.database));
    assertEquals(9, expected.size());
    assertEquals(expected, rows(b, String.format(q, b.database)));
    // the second half starts with the lookback: events before --start still count in its windows
    assertEquals("[u1,2024-05-03 00:00:00,2,6.0,2]", expected.get(2));
  }

  @Test
  void plainGroupBackfillCountsRowsOutsideTheRange() {
    TestStore store = new TestStore("backfill_plain").definition("users.yaml", """
        name: users
        record_identifier: user_id
        event_time: event_time
        features: [{name: user_id, type: String}, {name: v, type: Integral}, {name: event_time, type: Timestamp}]
        source: {path: "${raw_root}/u.csv", format: csv}
        """).write("raw/u.csv", """
        user_id,v,event_time
        u1,1,2024-05-01T00:00:00Z
        u1,2,2024-05-02T00:00:00Z
        u1,3,2024-05-03T00:00:00Z
        u1,x,2024-05-02T00:00:00Z
        """);
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    store.write("raw/u.csv", "user_id,v,event_time\nu1,20,2024-05-02T00:00:00Z\nu1,30,2024-05-03T00:00:00Z\n");
    IngestResult r = tm.ingest("users").range(Instant.parse("2024-05-02T00:00:00Z"),
        Instant.parse("2024-05-03T00:00:00Z")).execute();
    assertEquals(List.of(2L, 1L, 0L, 1L), List.of(r.rowsRead(), r.rowsWritten(), r.rowsQuarantined(),
        r.rowsOutOfRange()));
    assertEquals(List.of("[1,2024-05-01 00:00:00]", "[20,2024-05-02 00:00:00]", "[3,2024-05-03 00:00:00]"),
        rows(store, "SELECT v, CAST(event_time AS STRING) FROM " + store.database + ".users ORDER BY event_time"));
  }
}
