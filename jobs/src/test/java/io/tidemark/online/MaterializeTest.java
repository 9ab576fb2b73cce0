package io.tidemark.online;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.MAY_10;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.TestStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MaterializeTest {
  static String row(String id, int age, String eventTime) {
    return id + "," + age + ",1.5,true,,," + eventTime + "\n";
  }

  /** id -> "age@event_time" of every item in the live table. */
  static Map<String, String> online(Tidemark tm) {
    Map<String, String> out = new TreeMap<>();
    OnlineStore store = tm.onlineStore();
    ItemSchema schema = store.schema("users");
    OnlineTesting.client(tm).scanPaginator(b -> b.tableName(OnlineTesting.liveTable(tm, "users"))
            .consistentRead(true)).items()
        .forEach(item -> {
          OnlineRecord r = ItemCodec.decode(schema, item, List.of("user_id", "age"));
          out.put((String) r.id(), r.get("age") + "@" + r.eventTime());
        });
    return out;
  }

  @Test
  void incrementalWritesOnlyChangedRecordsNewerWinsEqualTimeKeepsAndLateRowsLose() {
    TestStore store = new TestStore("online_incr").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z")
        + row("u2", 40, "2099-05-01T00:00:00Z") + row("u3", 50, "2099-05-01T00:00:00Z")
        + row("u5", 70, "2099-05-01T00:00:00Z"));
    MaterializeResult first = tm.materialize("users").execute();
    assertEquals("full", first.mode());

    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 31, "2099-05-02T00:00:00Z") // newer: written
        + row("u2", 41, "2099-05-01T00:00:00Z")  // same event time: the online item stays
        + row("u3", 51, "2099-04-01T00:00:00Z")  // late row: loses to the fresher value
        + row("u4", 60, "2099-05-01T00:00:00Z")); // new record
    Faults.Recorder.CALLS.clear();
    MaterializeResult r = tm.materialize("users")
        .writeConnection(tm.onlineStore().connection().withInterceptors(List.of(Faults.Recorder.class))).execute();

    assertEquals("incremental", r.mode());
    assertEquals(Optional.of(1L), r.fromVersion());
    assertEquals(Optional.of(2L), r.offlineVersion());
    assertEquals(List.of(4L, 2L, 2L, 0L, 0L), List.of(r.records(), r.written(), r.skippedStale(), r.deleted(),
        r.oversized()));
    // u3's late row needs no request at all; u5 was not changed
    assertEquals(List.of("PutItem u1", "PutItem u2", "PutItem u4"),
        Faults.Recorder.CALLS.stream().sorted().toList());
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z", "u2", "40@2099-05-01T00:00:00Z",
        "u3", "50@2099-05-01T00:00:00Z", "u4", "60@2099-05-01T00:00:00Z", "u5", "70@2099-05-01T00:00:00Z"),
        online(tm));
    assertEquals(first.table(), r.table());

    MaterializeResult again = tm.materialize("users").execute();
    assertEquals(List.of(0L, 0L), List.of(again.records(), again.written()));
    assertEquals(Optional.of(2L), again.offlineVersion());
  }

  /**
   * OPTIMIZE rewrites files without changing data (a dataChange=false commit): the next incremental load reads the
   * change data feed across it and finds nothing to write, and reconcile finds no problem.
   */
  @Test
  void anOptimizeCommitGivesIncrementalLoadsNothingToWrite() {
    TestStore store = new TestStore("online_optimize").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z")
        + row("u2", 40, "2099-05-01T00:00:00Z"));
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u3", 50, "2099-05-01T06:00:00Z")
        + row("u1", 31, "2099-05-02T00:00:00Z"));
    assertEquals("full", tm.materialize("users").execute().mode());
    Map<String, String> loaded = online(tm);

    io.tidemark.maintenance.OptimizeResult optimized = tm.optimize("users").execute();
    assertEquals(List.of(List.of("2099-05-01"), 2L, 1L, 2L, 3L), List.of(optimized.compacted(),
        optimized.filesRemoved(), optimized.filesAdded(), optimized.versionBefore(), optimized.versionAfter()));

    Faults.Recorder.CALLS.clear();
    MaterializeResult r = tm.materialize("users")
        .writeConnection(tm.onlineStore().connection().withInterceptors(List.of(Faults.Recorder.class))).execute();
    assertEquals(List.of("incremental", Optional.of(2L), Optional.of(3L), 0L, 0L), List.of(r.mode(),
        r.fromVersion(), r.offlineVersion(), r.records(), r.written()));
    assertEquals(List.of(), List.copyOf(Faults.Recorder.CALLS));
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z", "u2", "40@2099-05-01T00:00:00Z",
        "u3", "50@2099-05-01T06:00:00Z"), loaded);
    assertEquals(loaded, online(tm));
    ReconcileResult check = tm.reconcile("users").sample(10).clock(MAY_10).execute();
    assertEquals(List.of(3L, 3L, 0L), List.of(check.sampled(), check.matched(), check.problems()));
  }

  @Test
  void tombstonesDeleteWhenNewerAndLateRowsNeverResurrect() {
    TestStore store = new TestStore("online_delete").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z")
        + row("u2", 40, "2099-05-01T00:00:00Z") + row("u3", 50, "2099-05-01T00:00:00Z"));
    tm.materialize("users").execute();

    // what the delete command does: tombstones offline, then the same tombstones online
    IngestResult del = OnlineTesting.delete(tm, store, "users", "u1,2099-06-01T00:00:00Z\nu2,2099-04-01T00:00:00Z\n");
    MaterializeResult online = tm.materialize("users").tombstonesOf(del.tableVersion().orElseThrow()).execute();
    assertEquals("tombstones", online.mode());
    assertEquals(List.of(2L, 0L, 1L, 1L), List.of(online.records(), online.written(), online.skippedStale(),
        online.deleted()));
    assertEquals(Map.of("u2", "40@2099-05-01T00:00:00Z", "u3", "50@2099-05-01T00:00:00Z"), online(tm));
    assertEquals(Optional.of(1L), tm.onlineStore().catalog().find("users").orElseThrow().watermark());

    // a row for u1 older than its tombstone arrives late: u1 stays deleted
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 31, "2099-05-15T00:00:00Z"));
    MaterializeResult r = tm.materialize("users").execute();
    assertEquals(List.of(2L, 0L, 1L, 1L), List.of(r.records(), r.written(), r.skippedStale(), r.deleted()));
    assertEquals(Map.of("u2", "40@2099-05-01T00:00:00Z", "u3", "50@2099-05-01T00:00:00Z"), online(tm));

    MaterializeResult full = tm.materialize("users").full(true).execute();
    assertEquals(List.of(3L, 2L, 1L), List.of(full.records(), full.written(), full.deleted()));
    assertEquals(Map.of("u2", "40@2099-05-01T00:00:00Z", "u3", "50@2099-05-01T00:00:00Z"), online(tm));
  }

  /** A full reload that fails in a process that lives on gives its lease back: re-running at once loads. */
  @Test
  void aFullReloadThatFailsGivesItsLeaseBackAtOnce() {
    TestStore store = new TestStore("online_failed_reload").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      rows.append(row(String.format("u%02d", i), i, "2099-05-01T00:00:00Z"));
    }
    OnlineTesting.ingest(tm, store, "users", HEADER, rows.toString());
    Faults.Crasher.ALLOWED.set(1);
    try {
      assertThrows(Exception.class, () -> tm.materialize("users").writeConnection(tm.onlineStore().connection()
          .withInterceptors(List.of(Faults.Crasher.class))).execute());
    } finally {
      Faults.Crasher.ALLOWED.set(Integer.MAX_VALUE);
    }
    OnlineCatalog.Entry e = tm.onlineStore().catalog().find("users").orElseThrow();
    assertEquals(List.of(Optional.empty(), Optional.empty(), 1L),
        List.of(e.liveTable(), e.loadingTable(), e.lastVersion()));
    assertEquals(List.of(), new OnlineTables(tm.onlineStore().connection(), tm.onlineStore().config()).list()
        .stream().filter(t -> t.startsWith(store.database + "_users")).toList());

    MaterializeResult r = tm.materialize("users").execute();
    assertEquals(List.of(store.database + "_users__v2", 30L, 30L), List.of(r.table(), r.records(), r.written()));
    assertEquals(30, OnlineTesting.scan(tm, store.database + "_users__v2").size());
  }

  @Test
  void fullReloadSwitchesAtomicallyAndDropsTheOldTableAfterTheGracePeriod() {
    TestStore store = new TestStore("online_switch").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 60; i++) {
      rows.append(row(String.format("u%02d", i), i, "2099-05-01T00:00:00Z"));
    }
    OnlineTesting.ingest(tm, store, "users", HEADER, rows.toString());
    tm.materialize("users").execute();
    String v1 = store.database + "_users__v1";
    OnlineTesting.ingest(tm, store, "users", HEADER, rows.toString().replace("2099-05-01", "2099-05-02")
        .replaceAll("(u\\d\\d),(\\d+),", "$1,1$2,"));
    Map<String, String> before = online(tm);

    Clock crashedAt = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    // the process dies: nothing of it reaches DynamoDB any more, so it cannot give its lease back
    OnlineStore dying = tm.onlineStore().withConnection(tm.onlineStore().connection()
        .withInterceptors(List.of(Faults.Crasher.class)));
    Faults.Crasher.ALLOWED.set(1);
    assertThrows(Exception.class, () -> new MaterializeAction(tm.spark(), tm.offlineStore(), dying,
        tm.registry().group("users")).full(true).clock(crashedAt).execute());
    Faults.Crasher.ALLOWED.set(Integer.MAX_VALUE);

    // readers still see the complete old version; the half-loaded one exists but is not live
    OnlineCatalog.Entry e = tm.onlineStore().catalog().find("users").orElseThrow();
    assertEquals(Optional.of(v1), e.liveTable());
    assertEquals(Optional.of(store.database + "_users__v2"), e.loadingTable());
    long loaded = OnlineTesting.scan(tm, store.database + "_users__v2").size();
    assertTrue(loaded < 60, "half loaded: " + loaded);
    assertEquals(before, online(tm));
    assertEquals(1L, tm.onlineStore().withClock(MAY_10).withAliasCache(Duration.ZERO).get("users", "u01")
        .orElseThrow().get("age"));

    // within the lease the dead load looks like one still running: a second full reload must not touch it
    IllegalStateException running = assertThrows(IllegalStateException.class, () -> tm.materialize("users")
        .full(true).clock(Clock.offset(crashedAt, Duration.ofMinutes(4))).execute());
    assertEquals("another full reload of users is loading " + store.database + "_users__v2 (last heartbeat "
        + "2026-01-01T00:00:00Z); wait for it to finish. If that run died, re-run after 2026-01-01T00:05:00Z, when "
        + "its lease of 5 minutes has expired", running.getMessage());
    assertEquals(loaded, OnlineTesting.scan(tm, store.database + "_users__v2").size());

    Clock now = Clock.offset(crashedAt, Duration.ofMinutes(6));
    MaterializeResult r = tm.materialize("users").full(true).clock(now).execute();
    String v3 = store.database + "_users__v3";
    assertEquals(v3, r.table());
    assertEquals(List.of(60L, 60L), List.of(r.records(), r.written()));
    e = tm.onlineStore().catalog().find("users").orElseThrow();
    assertEquals(Optional.of(v3), e.liveTable());
    assertEquals(Optional.empty(), e.loadingTable());
    assertEquals(List.of(new OnlineCatalog.Retired(v1, now.instant())), e.retired());
    assertEquals(Optional.of(2L), e.watermark());
    List<String> tables = new OnlineTables(tm.onlineStore().connection(), tm.onlineStore().config()).list().stream()
        .filter(t -> t.startsWith(store.database + "_users")).toList();
    assertEquals(List.of(v1, v3), tables); // the abandoned v2 is gone; v1 waits for its grace period (1h)
    Map<String, String> expected = new TreeMap<>();
    for (int i = 1; i <= 60; i++) {
      expected.put(String.format("u%02d", i), "1" + i + "@2099-05-02T00:00:00Z");
    }
    assertEquals(expected, online(tm));

    MaterializeResult later = tm.materialize("users").clock(Clock.offset(now, Duration.ofMinutes(61))).execute();
    assertEquals(List.of(v1), later.droppedTables());
    assertEquals(List.of(), tm.onlineStore().catalog().find("users").orElseThrow().retired());
    assertEquals(List.of(v3), new OnlineTables(tm.onlineStore().connection(), tm.onlineStore().config()).list()
        .stream().filter(t -> t.startsWith(store.database + "_users")).toList());
  }

  @Test
  void theWatermarkOnlyMovesForwardAndOnlyOnTheLiveTable() {
    TestStore store = new TestStore("online_watermark").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 1, "2099-05-01T00:00:00Z"));
    tm.materialize("users").execute();
    OnlineCatalog catalog = tm.onlineStore().catalog();
    String live = OnlineTesting.liveTable(tm, "users");
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    assertTrue(catalog.advanceWatermark("users", live, 5, now));
    // a concurrent run that read fewer offline versions finishes later: the higher watermark stands
    assertTrue(catalog.advanceWatermark("users", live, 3, now));
    assertEquals(Optional.of(5L), catalog.find("users").orElseThrow().watermark());
    // a run that wrote to a table a full reload has replaced does not move the new table's watermark
    assertEquals(false, catalog.advanceWatermark("users", store.database + "_users__v0", 9, now));
    assertEquals(Optional.of(5L), catalog.find("users").orElseThrow().watermark());
  }

  @Test
  void throttlingAndUnprocessedItemsAreRetriedAndAKilledLoadFinishesExactlyOnRestart() {
    TestStore store = new TestStore("online_faults").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    StringBuilder deletes = new StringBuilder();
    Map<String, String> expected = new TreeMap<>();
    for (int i = 1; i <= 140; i++) {
      String id = String.format("u%03d", i);
      if (i <= 120) {
        a.append(row(id, i, "2099-05-01T00:00:00Z"));
        expected.put(id, i + "@2099-05-01T00:00:00Z");
      }
      if (i <= 60 || i > 120) {
        b.append(row(id, 1000 + i, "2099-05-02T00:00:00Z"));
        expected.put(id, (1000 + i) + "@2099-05-02T00:00:00Z");
      } else if (i <= 70) {
        b.append(row(id, -i, "2099-04-01T00:00:00Z")); // late
      } else if (i <= 80) {
        deletes.append(id).append(",2099-05-03T00:00:00Z\n");
        expected.remove(id);
      }
    }
    OnlineTesting.ingest(tm, store, "users", HEADER, a.toString());
    var faulty = tm.onlineStore().connection().withInterceptors(List.of(Faults.Throttler.class));
    Faults.Throttler.rate = 0.3;
    Faults.Throttler.INJECTED.set(0);
    try {
      MaterializeResult full = tm.materialize("users").writeConnection(faulty).execute();
      assertEquals(List.of(120L, 120L, 0L), List.of(full.records(), full.written(), full.skippedStale()));
      assertTrue(full.retries() > 0 && Faults.Throttler.INJECTED.get() > 0, full.summary());

      OnlineTesting.ingest(tm, store, "users", HEADER, b.toString());
      OnlineTesting.delete(tm, store, "users", deletes.toString());
      // first attempt killed after 25 writes, then re-run with throttling still on
      Faults.Crasher.ALLOWED.set(25);
      assertThrows(Exception.class, () -> tm.materialize("users").writeConnection(tm.onlineStore().connection()
          .withInterceptors(List.of(Faults.Crasher.class))).execute());
      Faults.Crasher.ALLOWED.set(Integer.MAX_VALUE);
      assertEquals(Optional.of(1L), tm.onlineStore().catalog().find("users").orElseThrow().watermark());

      Faults.Throttler.INJECTED.set(0);
      MaterializeResult incr = tm.materialize("users").writeConnection(faulty).execute();
      assertEquals(List.of(100L, 80L, 10L, 10L, 0L), List.of(incr.records(), incr.written(), incr.skippedStale(),
          incr.deleted(), incr.oversized()), incr.summary());
      assertTrue(incr.retries() > 0 && Faults.Throttler.INJECTED.get() > 0, incr.summary());
      assertEquals(Optional.of(3L), incr.offlineVersion());
    } finally {
      Faults.Throttler.rate = 0;
    }
    assertEquals(expected, online(tm));

    // the client retries unprocessed keys too
    Faults.Throttler.rate = 0.3;
    try {
      OnlineStore reader = tm.onlineStore().withConnection(faulty).withClock(MAY_10);
      List<String> ids = new ArrayList<>(expected.keySet());
      assertEquals(ids, List.copyOf(reader.batchGet("users", ids).keySet()));
    } finally {
      Faults.Throttler.rate = 0;
    }
  }
}
