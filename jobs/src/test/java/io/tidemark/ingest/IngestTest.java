package io.tidemark.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import static io.tidemark.testing.Fixtures.CSV;
import static io.tidemark.testing.Fixtures.USERS;

import io.tidemark.testing.TestStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class IngestTest {
  @Test
  void validRowsAreWrittenTypedAndBadRowsQuarantinedWithReasons() {
    TestStore store = new TestStore("ingest_csv").definition("users.yaml", USERS).write("raw/users.csv", CSV);
    Tidemark tm = store.tidemark();

    IngestResult result = tm.ingest("users").execute();

    assertEquals(12, result.rowsRead());
    assertEquals(3, result.rowsWritten());
    assertEquals(9, result.rowsQuarantined());
    assertFalse(result.alreadyIngested());
    assertEquals(Optional.of(1L), result.tableVersion()); // v0 is CREATE TABLE

    List<String> rows = store.spark().sql("SELECT user_id, age, score, active, CAST(signup AS STRING), "
            + "CAST(event_time AS STRING), CAST(event_date AS STRING), is_deleted, write_time IS NOT NULL, "
            + "api_invocation_time IS NOT NULL FROM " + store.database + ".users ORDER BY user_id")
        .collectAsList().stream().map(Row::toString).toList();
    assertEquals(List.of(
        "[u1,30,1.5,true,2024-01-01 00:00:00,2024-05-01 12:00:00,2024-05-01,false,true,true]",
        "[u11,1,1.0,true,null,2024-05-01 12:00:00,2024-05-01,false,true,true]",
        "[u2,41,2.25,false,null,2024-05-01 12:00:00,2024-05-01,false,true,true]"), rows.subList(0, 3));

    Map<String, String> quarantined = new TreeMap<>();
    store.spark().table(store.database + ".users__quarantine").collectAsList().forEach(r ->
        quarantined.put(r.<String>getAs("raw_row"), String.join(" | ", r.<String>getList(r.fieldIndex("reasons")))));
    assertEquals(9, quarantined.size());
    assertEquals("age: not an Integral: 'abc'", reasonFor(quarantined, "\"u3\""));
    assertEquals("user_id: missing record identifier", reasonFor(quarantined, "{\"age\":\"20\""));
    assertEquals("score: NaN or infinite: 'NaN'", reasonFor(quarantined, "\"u5\""));
    assertEquals("event_time: a time without a zone (add Z or an offset like +02:00): '2024-05-01T12:00:00'",
        reasonFor(quarantined, "\"u6\""));
    assertEquals("active: not a Boolean (true/false): 'maybe'", reasonFor(quarantined, "\"u7\""));
    assertEquals("event_time: missing event time", reasonFor(quarantined, "\"u8\""));
    assertEquals("age: out of the Integral range: '99999999999999999999'", reasonFor(quarantined, "\"u9\""));
    assertEquals("user_id: blank record identifier", reasonFor(quarantined, "\"  \""));
    assertEquals("signup: not a time in iso8601 or epoch_seconds: '2024-02-30T00:00:00Z'", reasonFor(quarantined, "\"u12\""));
    assertEquals(Map.of("age: not an Integral", 1L, "user_id: missing record identifier", 1L,
        "score: NaN or infinite", 1L, "event_time: a time without a zone (add Z or an offset like +02:00)", 1L,
        "active: not a Boolean (true/false)", 1L, "event_time: missing event time", 1L,
        "age: out of the Integral range", 1L, "user_id: blank record identifier", 1L,
        "signup: not a time in iso8601 or epoch_seconds", 1L), result.quarantineReasons());
  }

  @Test
  void rerunningTheSameInputWritesNothingAndForceWritesAgain() {
    TestStore store = new TestStore("ingest_rerun").definition("users.yaml", USERS).write("raw/users.csv", CSV);
    Tidemark tm = store.tidemark();
    IngestResult first = tm.ingest("users").execute();
    IngestResult second = tm.ingest("users").execute();

    assertTrue(second.alreadyIngested());
    assertEquals(first.batchId(), second.batchId());
    assertEquals(3, second.rowsWritten());
    assertEquals(3, store.spark().table(store.database + ".users").count());
    assertEquals(9, store.spark().table(store.database + ".users__quarantine").count());

    IngestResult forced = tm.ingest("users").force(true).execute();
    assertFalse(forced.alreadyIngested());
    assertEquals(6, store.spark().table(store.database + ".users").count());
    assertEquals(2, store.spark().sql("SELECT DISTINCT write_time FROM " + store.database + ".users").count());

    store.write("raw/users.csv", CSV + "u13,5,5,true,,2024-06-01T00:00:00Z\n");
    IngestResult changed = tm.ingest("users").execute();
    assertFalse(changed.alreadyIngested());
    assertEquals(4, changed.rowsWritten());
  }

  @Test
  void tableIsRegisteredWithCommentsAndProperties() {
    TestStore store = new TestStore("ingest_catalog").definition("users.yaml", USERS).write("raw/users.csv", CSV);
    store.tidemark().ingest("users").execute();
    Map<String, String> comments = store.spark().sql("DESCRIBE TABLE " + store.database + ".users").collectAsList()
        .stream().filter(r -> !r.getString(0).startsWith("#") && !r.getString(0).isEmpty())
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.isNullAt(2) ? "" : r.getString(2), (a, b) -> a));
    assertEquals("the user", comments.get("user_id"));
    assertEquals("age in years", comments.get("age"));
    Map<String, String> props = store.spark().sql("SHOW TBLPROPERTIES " + store.database + ".users").collectAsList()
        .stream().collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
    assertEquals("tests", props.get("tidemark.owner"));
    assertEquals("user_id", props.get("tidemark.record_identifier"));
    Row detail = store.spark().sql("DESCRIBE DETAIL " + store.database + ".users").first();
    assertEquals(List.of("event_date"), detail.getList(detail.fieldIndex("partitionColumns")));
    assertEquals("delta", detail.getString(detail.fieldIndex("format")));
    assertTrue(java.nio.file.Files.isDirectory(store.path("offline/" + store.database + "/users/event_date=2024-05-01")));
  }

  @Test
  void deleteAppendsTombstones() {
    TestStore store = new TestStore("ingest_delete").definition("users.yaml", USERS).write("raw/users.csv", CSV)
        .write("raw/deletes.csv", "user_id,event_time\nu1,2024-06-01T00:00:00Z\n,2024-06-01T00:00:00Z\n");
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    IngestResult deleted = tm.delete("users").from(store.path("raw/deletes.csv").toString(), SourceFormat.CSV)
        .execute();
    assertEquals("delete", deleted.kind());
    assertEquals(1, deleted.rowsWritten());
    assertEquals(1, deleted.rowsQuarantined());
    List<String> rows = store.spark().sql("SELECT user_id, age, score, CAST(event_time AS STRING), is_deleted FROM "
        + store.database + ".users WHERE user_id = 'u1' ORDER BY event_time").collectAsList().stream()
        .map(Row::toString).toList();
    assertEquals(List.of("[u1,30,1.5,2024-05-01 12:00:00,false]", "[u1,null,null,2024-06-01 00:00:00,true]"), rows);
  }

  private static String reasonFor(Map<String, String> quarantined, String rawFragment) {
    List<String> hits = quarantined.entrySet().stream().filter(e -> e.getKey().contains(rawFragment))
        .map(Map.Entry::getValue).toList();
    assertEquals(1, hits.size(), "rows matching " + rawFragment + " in " + quarantined.keySet());
    return hits.get(0);
  }
}
