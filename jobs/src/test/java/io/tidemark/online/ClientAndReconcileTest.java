package io.tidemark.online;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.MAY_10;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.Tidemark;
import io.tidemark.online.dynamo.ItemSize;
import io.tidemark.online.materialize.MaterializeResult;
import io.tidemark.online.materialize.ReconcileResult;
import io.tidemark.testing.TestStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ClientAndReconcileTest {
  @Test
  void batchGetChunksBy100KeysAndReturnsFoundRecordsInTheOrderAsked() {
    TestStore store = new TestStore("online_batchget").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 250; i++) {
      rows.append(String.format("u%03d,%d,,,,,2099-05-01T00:00:00Z%n", i, i));
    }
    OnlineTesting.ingest(tm, store, "users", HEADER, rows.toString());
    tm.materialize("users").execute();
    List<String> ids = new ArrayList<>();
    for (int i = 255; i >= 1; i--) {
      ids.add(String.format("u%03d", i)); // u251..u255 do not exist
    }
    ids.add("u001"); // asked twice, fetched once

    Faults.Recorder.CALLS.clear();
    OnlineStore reader = tm.onlineStore().withClock(MAY_10)
        .withConnection(tm.onlineStore().connection().withInterceptors(List.of(Faults.Recorder.class)));
    Map<Object, OnlineRecord> got = reader.batchGet("users", ids, "age");

    assertEquals(List.of("BatchGetItem 100", "BatchGetItem 100", "BatchGetItem 55"),
        List.copyOf(Faults.Recorder.CALLS));
    assertEquals(ids.subList(5, 255), List.copyOf(got.keySet()));
    assertEquals(7L, got.get("u007").get("age"));
    assertEquals(List.of("user_id", "age", "event_time"), List.copyOf(got.get("u007").features().keySet()));
  }

  @Test
  void oversizedItemsAreReportedAndTheRestIsWritten() {
    TestStore store = new TestStore("online_big").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    String big = "x".repeat(ItemSize.MAX_ITEM_BYTES);
    OnlineTesting.ingest(tm, store, "users", HEADER, "u1,1,,,,small,2099-05-01T00:00:00Z\n"
        + "u2,2,,,," + big + ",2099-05-01T00:00:00Z\n");
    MaterializeResult full = tm.materialize("users").execute();
    assertEquals(List.of(2L, 1L, 1L), List.of(full.records(), full.written(), full.oversized()));
    assertEquals(List.of("u2"), full.oversizedIds());

    OnlineTesting.ingest(tm, store, "users", HEADER, "u3,3,,,," + big + ",2099-05-02T00:00:00Z\n");
    MaterializeResult incr = tm.materialize("users").execute();
    assertEquals(List.of(1L, 0L, 1L), List.of(incr.records(), incr.written(), incr.oversized()));
    assertEquals(List.of("u3"), incr.oversizedIds());
    assertEquals(List.of("u1"), List.copyOf(tm.onlineStore().withClock(MAY_10)
        .batchGet("users", List.of("u1", "u2", "u3")).keySet()));
  }

  @Test
  void reconcileFindsMissingStaleAndMismatchedRecords() {
    TestStore store = new TestStore("online_reconcile").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, """
        u1,1,,,,,2099-05-01T00:00:00Z
        u2,2,,,,,2099-05-01T00:00:00Z
        u3,3,,,,,2099-05-01T00:00:00Z
        u4,4,,,,,2099-05-01T00:00:00Z
        u5,5,,,,,2099-05-01T00:00:00Z
        """);
    OnlineTesting.delete(tm, store, "users", "u5,2099-05-02T00:00:00Z\n");
    tm.materialize("users").execute();
    ReconcileResult clean = tm.reconcile("users").sample(10).clock(MAY_10).execute();
    assertEquals(List.of(5L, 5L, 0L), List.of(clean.sampled(), clean.matched(), clean.problems()));

    String table = OnlineTesting.liveTable(tm, "users");
    var ddb = OnlineTesting.client(tm);
    ddb.deleteItem(b -> b.tableName(table).key(Map.of("user_id", s("u1"))));
    ddb.updateItem(b -> b.tableName(table).key(Map.of("user_id", s("u2")))
        .updateExpression("SET event_time = :t").expressionAttributeValues(Map.of(":t",
            s("2099-04-01T00:00:00.000000Z"))));
    ddb.updateItem(b -> b.tableName(table).key(Map.of("user_id", s("u3")))
        .updateExpression("SET age = :a").expressionAttributeValues(Map.of(":a",
            AttributeValue.builder().n("33").build())));
    ddb.putItem(b -> b.tableName(table).item(Map.of("user_id", s("u5"), "event_time",
        s("2099-05-01T00:00:00.000000Z"), "write_time", s("2099-05-01T00:00:00.000000Z"))));

    // online only: one served item the offline store never had, one that has already expired
    ddb.putItem(b -> b.tableName(table).item(Map.of("user_id", s("u9"), "event_time",
        s("2099-05-01T00:00:00.000000Z"), "write_time", s("2099-05-01T00:00:00.000000Z"))));
    ddb.putItem(b -> b.tableName(table).item(Map.of("user_id", s("u8"), "event_time",
        s("2099-03-01T00:00:00.000000Z"), "write_time", s("2099-03-01T00:00:00.000000Z"), "expires_at",
        AttributeValue.builder().n(String.valueOf(Instant.parse("2099-04-01T00:00:00Z").getEpochSecond())).build())));

    ReconcileResult r = tm.reconcile("users").sample(10).clock(MAY_10).execute();
    assertEquals(List.of(6L, 1L, 1L, 2L, 1L, 1L), List.of(r.sampled(), r.matched(), r.missing(), r.stale(),
        r.mismatched(), r.orphaned()));
    assertEquals(List.of(
            "u1: missing: offline latest at 2099-05-01T00:00:00Z is not online",
            "u2: stale: online 2099-04-01T00:00:00Z < offline 2099-05-01T00:00:00Z",
            "u3: mismatched at the same event time: {age=online 33 != offline 3}",
            "u5: stale: deleted offline at 2099-05-02T00:00:00Z but served with event time 2099-05-01T00:00:00Z",
            "u9: orphaned: served with event time 2099-05-01T00:00:00Z but the offline store has no record u9"),
        r.examples().stream().sorted().toList());
    assertEquals("reconcile users (" + table + "): sampled 6, matched 1, missing 1, stale 2, mismatched 1, "
        + "orphaned 1", r.summary());
  }

  private static AttributeValue s(String v) {
    return AttributeValue.builder().s(v).build();
  }
}
