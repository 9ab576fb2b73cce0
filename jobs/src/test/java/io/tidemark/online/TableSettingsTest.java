package io.tidemark.online;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.online.materialize.MaterializeAction;
import io.tidemark.online.materialize.MaterializeResult;
import io.tidemark.testing.TestStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that shape how Tidemark uses DynamoDB: the KMS key of new tables and the write-capacity budget. */
class TableSettingsTest {
  private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  /**
   * dynalite accepts an SSE specification but does not encrypt or describe it, so the requests Tidemark
   * sends are recorded on their way to it.
   */
  @Test
  void everyTableTidemarkCreatesAsksForTheConfiguredKmsKey() {
    TestStore store = new TestStore("online_kms").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store, Map.of("online.kms_key", KEY));
    OnlineTesting.ingest(tm, store, "users", HEADER, "u1,30,,,,,2099-05-01T00:00:00Z\n");
    OnlineStore recorded = tm.onlineStore().withConnection(tm.onlineStore().connection()
        .withInterceptors(List.of(Faults.Recorder.class)));
    Faults.Recorder.CALLS.clear();

    new MaterializeAction(tm.spark(), tm.offlineStore(), recorded, tm.registry().group("users")).execute();
    new MaterializeAction(tm.spark(), tm.offlineStore(), recorded, tm.registry().group("users")).full(true)
        .execute();

    String sse = " sse enabled=true type=KMS key=" + KEY;
    assertEquals(List.of("CreateTable " + store.database + "__catalog" + sse,
            "CreateTable " + store.database + "_users__v1" + sse,
            "CreateTable " + store.database + "_users__v2" + sse),
        Faults.Recorder.CALLS.stream().filter(c -> c.startsWith("CreateTable")).toList());
    assertEquals(List.of("u1"), OnlineTesting.scan(tm, OnlineTesting.liveTable(tm, "users")).stream()
        .map(i -> i.replaceAll(".*user_id=S:([^,}]*).*", "$1")).toList());
  }

  @Test
  void withoutAKmsKeyTablesGetDynamoDbsDefaultEncryption() {
    TestStore store = new TestStore("online_nokms").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, "u1,30,,,,,2099-05-01T00:00:00Z\n");
    OnlineStore recorded = tm.onlineStore().withConnection(tm.onlineStore().connection()
        .withInterceptors(List.of(Faults.Recorder.class)));
    Faults.Recorder.CALLS.clear();
    new MaterializeAction(tm.spark(), tm.offlineStore(), recorded, tm.registry().group("users")).execute();
    assertEquals(List.of("CreateTable " + store.database + "__catalog", "CreateTable " + store.database
        + "_users__v1"), Faults.Recorder.CALLS.stream().filter(c -> c.startsWith("CreateTable")).toList());
  }

  /**
   * An incremental load of 300 one-unit items (batches of 25) under a budget of 100 units/s shared by the 2 tasks
   * that run at once: 50 units/s and a 50-unit burst each. One task gets at least 150 items; after its first batch
   * at most 25 units are left in its bucket, so its remaining >= 125 units take at least (125 - 25) / 50 = 2 s to
   * leave. Unpaced, 12 batches take a fraction of that. A lower bound only: a slow machine makes the span longer.
   */
  @Test
  void theWriteCapacityBudgetPacesTheWrites() {
    TestStore store = new TestStore("online_capacity").definition("users.yaml", USERS);
    Tidemark unlimited = OnlineTesting.tidemark(store);
    Tidemark paced = OnlineTesting.tidemark(store, Map.of("online.write_capacity", "100", "online.write_tasks",
        "2"));
    assertEquals(2, store.spark().sparkContext().defaultParallelism());
    OnlineTesting.ingest(unlimited, store, "users", HEADER, users("2099-05-01T00:00:00Z"));
    unlimited.materialize("users").execute();
    OnlineTesting.ingest(unlimited, store, "users", HEADER, users("2099-05-02T00:00:00Z"));
    Faults.WriteTimes.NANOS.clear();

    MaterializeResult r = paced.materialize("users").writeConnection(paced.onlineStore().connection()
        .withInterceptors(List.of(Faults.WriteTimes.class))).execute();

    assertEquals(List.of("incremental", 300L, 300L), List.of(r.mode(), r.records(), r.written()));
    List<Long> sent = Faults.WriteTimes.NANOS.stream().sorted().toList();
    assertTrue(sent.size() >= 12 && sent.size() == r.requests(), sent.size() + " requests, " + r.summary());
    long spanMillis = (sent.get(sent.size() - 1) - sent.get(0)) / 1_000_000;
    assertTrue(spanMillis >= 2000, "300 units at 100 units/s with a 100-unit burst were sent in " + spanMillis
        + " ms");
    assertEquals(300, OnlineTesting.scan(unlimited, OnlineTesting.liveTable(unlimited, "users")).stream()
        .filter(i -> i.contains("event_time=S:2099-05-02")).count());
  }

  private static String users(String eventTime) {
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      rows.append(String.format("u%03d,%d,,,,,%s%n", i, i, eventTime));
    }
    return rows.toString();
  }
}
