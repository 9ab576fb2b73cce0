package io.tidemark.asof;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.testing.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** {@link AsOf#latestPerMarkedKey}: the records a set of rows touched, and whether each winner is one of them. */
class AsOfMarkedTest {
  private static Row row(String id, String event, long v, String write, boolean deleted) {
    return RowFactory.create(id, Timestamp.from(java.time.Instant.parse(event)), v, "s" + v,
        Timestamp.from(java.time.Instant.parse(write)), deleted);
  }

  @Test
  void onlyTouchedRecordsComeOutWithTheirWinnersMark() {
    String old = "2024-01-01T00:00:00Z";
    String now = "2024-01-05T00:00:00Z";
    List<Row> history = List.of(
        row("a", "2024-01-02T00:00:00Z", 1, old, false),
        row("a", "2024-01-03T00:00:00Z", 2, now, false),      // a: the change wins
        row("b", "2024-01-04T00:00:00Z", 3, old, false),
        row("b", "2024-01-02T00:00:00Z", 4, now, false),      // b: a late change, the older write wins
        row("c", "2024-01-02T00:00:00Z", 5, old, false),      // c: untouched, not in the output
        row("d", "2024-01-02T00:00:00Z", 6, old, false),
        row("d", "2024-01-02T00:00:00Z", 7, now, true));      // d: a tombstone change wins (later write)
    List<String> out = AsOf.latestPerMarkedKey(TestSpark.get().createDataFrame(history, AsOfJoinTest.HISTORY),
            "id", "event_time", List.of("v", "s"), col("write_time").equalTo(Timestamp.from(
                java.time.Instant.parse(now))), "changed")
        .orderBy("id").collectAsList().stream()
        .map(r -> r.getString(0) + " v=" + r.get(r.fieldIndex("v")) + " deleted=" + r.get(r.fieldIndex("is_deleted"))
            + " changed=" + r.get(r.fieldIndex("changed")))
        .toList();
    assertEquals(List.of("a v=2 deleted=false changed=true", "b v=3 deleted=false changed=false",
        "d v=7 deleted=true changed=true"), out);
  }
}
