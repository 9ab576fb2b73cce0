package io.tidemark.asof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One key with a million versions: the merge streams them and still picks the exact winner. */
@Tag("heavy")
class AsOfHotKeyTest {
  @ParameterizedTest
  @EnumSource(AsOfJoin.Strategy.class)
  void aMillionVersionsOfOneKey(AsOfJoin.Strategy strategy) {
    // version i of key "hot": event time base + i seconds, value i; every 1000th is a tombstone
    Dataset<Row> history = TestSpark.get().range(1_000_000).selectExpr("'hot' AS id",
        "timestamp_seconds(1700000000 + id) AS event_time", "id AS v", "cast(id AS string) AS s",
        "timestamp_seconds(1800000000) AS write_time", "id % 1000 = 999 AS is_deleted");
    Dataset<Row> spine = TestSpark.get().range(7).selectExpr("cast(id AS string) AS row", "'hot' AS id",
        "timestamp_seconds(1700000000 + element_at(array(-1, 0, 1, 999, 123456, 999999, 5000000), "
            + "cast(id + 1 AS int))) AS t");
    List<String> out = new ArrayList<>();
    AsOfJoin.on(spine, "t").strategy(strategy).add(AsOfJoinTest.source(history, Optional.empty())).join().rows()
        .collectAsList().forEach(r -> out.add(r.getString(0) + "|" + r.get(3)));
    out.sort(null);
    assertEquals(List.of("0|null", "1|0", "2|1", "3|null", "4|123456", "5|null", "6|null"), out);
  }
}
