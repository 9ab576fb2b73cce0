package io.tidemark.online.materialize;

import static io.tidemark.online.OnlineTesting.HEADER;
import static io.tidemark.online.OnlineTesting.MAY_10;
import static io.tidemark.online.OnlineTesting.USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.online.Faults;
import io.tidemark.online.OnlineRecord;
import io.tidemark.online.OnlineStore;
import io.tidemark.online.OnlineTesting;
import io.tidemark.online.dynamo.GroupLease;
import io.tidemark.online.dynamo.ItemCodec;
import io.tidemark.online.dynamo.ItemSchema;
import io.tidemark.online.dynamo.OnlineCatalog;
import io.tidemark.online.dynamo.OnlineTables;
import io.tidemark.online.dynamo.WriteFence;
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
          OnlineRecord r = OnlineStore.decode(schema, item, List.of("user_id", "age"));
          out.put((String) r.id(), r.get("age") + "@" + r.eventTime());
        });
    return out;
  }

  @Test
  void incrementalWritesOnlyChangedRecordsInBatchesAsTheHistoryDecidesAndLateRowsLose() {
    TestStore store = new TestStore("online_incr").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z")
        + row("u2", 40, "2099-05-01T00:00:00Z") + row("u3", 50, "2099-05-01T00:00:00Z")
        + row("u5", 70, "2099-05-01T00:00:00Z"));
    MaterializeResult first = tm.materialize("users").execute();
    assertEquals("full", first.mode());

    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 31, "2099-05-02T00:00:00Z") // newer: written
        + row("u2", 41, "2099-05-01T00:00:00Z")  // same event time, written later: wins, as offline
        + row("u3", 51, "2099-04-01T00:00:00Z")  // late row: loses to the fresher value
        + row("u4", 60, "2099-05-01T00:00:00Z")); // new record
    Faults.Recorder.CALLS.clear();
    MaterializeResult r = tm.materialize("users")
        .writeConnection(tm.onlineStore().connection().withInterceptors(List.of(Faults.Recorder.class))).execute();

    assertEquals("incremental", r.mode());
    assertEquals(Optional.of(1L), r.fromVersion());
    assertEquals(Optional.of(2L), r.offlineVersion());
    assertEquals(List.of(4L, 3L, 1L, 0L, 0L), List.of(r.records(), r.written(), r.skippedStale(), r.deleted(),
        r.oversized()));
    // batch writes only (one per write task that got a record), of the 3 winners: u3's late row needs no request
    // at all; u5 was not changed
    assertEquals(List.of(3), List.of(Faults.Recorder.CALLS.stream().mapToInt(c -> {
      assertTrue(c.startsWith("BatchWriteItem "), c);
      return Integer.parseInt(c.substring("BatchWriteItem ".length()));
    }).sum()));
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z", "u2", "41@2099-05-01T00:00:00Z",
        "u3", "50@2099-05-01T00:00:00Z", "u4", "60@2099-05-01T00:00:00Z", "u5", "70@2099-05-01T00:00:00Z"),
        online(tm));
    assertEquals(first.table(), r.table());

    MaterializeResult again = tm.materialize("users").execute();
    assertEquals(List.of(0L, 0L), List.of(again.records(), again.written()));
    assertEquals(Optional.of(2L), again.offlineVersion());
  }

  /**
   * Versions whose changes Delta did not record (the change data feed turned off on the table) cannot be loaded
   * incrementally: the run says so and how to recover, writes nothing, and the watermark stays; --full recovers.
   */
  @Test
  void changesDeltaDidNotRecordAskForAFullReload() {
    TestStore store = new TestStore("online_nocdf").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z"));
    assertEquals("full", tm.materialize("users").execute().mode());
    String table = tm.offlineStore().forGroup(tm.registry().group("users")).tableName();
    store.spark().sql("ALTER TABLE " + table + " SET TBLPROPERTIES (delta.enableChangeDataFeed = false)");
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 31, "2099-05-02T00:00:00Z"));

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tm.materialize("users").execute());
    assertTrue(e.getMessage().startsWith("cannot read the change data feed of " + table + " for versions 2..3 ("),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("); run: tidemark materialize users --full"), e.getMessage());
    assertEquals(Map.of("u1", "30@2099-05-01T00:00:00Z"), online(tm));

    MaterializeResult full = tm.materialize("users").full(true).execute();
    assertEquals(List.of("full", 1L), List.of(full.mode(), full.written()));
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z"), online(tm));
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
    store.write("raw/delete-u1-u2.csv", "user_id,event_time\nu1,2099-06-01T00:00:00Z\nu2,2099-04-01T00:00:00Z\n");
    MaterializeResult online = tm.deleteRecords("users", store.path("raw/delete-u1-u2.csv").toString(),
        SourceFormat.CSV).execute().online().orElseThrow();
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
    assertEquals(List.of(Optional.empty(), Optional.empty(), 1L, Optional.empty()),
        List.of(e.liveTable(), e.loadingTable(), e.lastVersion(), e.lease()));
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

    // within its lease the dead load looks like one still running: no other run may write the group
    String dead = e.lease().orElseThrow().owner();
    assertTrue(dead.matches("materialize --full on .+ pid " + ProcessHandle.current().pid() + " run [0-9a-f]{8}"),
        dead);
    for (boolean fullRun : List.of(true, false)) {
      IllegalStateException running = assertThrows(IllegalStateException.class, () -> tm.materialize("users")
          .full(fullRun).clock(Clock.offset(crashedAt, Duration.ofMinutes(4))).execute());
      assertEquals("the online tables of users are being written by another run (" + dead + ", since "
          + "2026-01-01T00:00:00Z); wait for it to finish. If that run died, re-run after 2026-01-01T00:05:00Z, "
          + "when its writer lease (5 minutes after its last renewal) has run out", running.getMessage());
    }
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
  void onlyTheLeaseHolderChangesTheCatalogAndARunOutLeaseIsTakenOver() {
    TestStore store = new TestStore("online_lease").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 1, "2099-05-01T00:00:00Z"));
    tm.materialize("users").execute();
    OnlineCatalog catalog = tm.onlineStore().catalog();
    String live = OnlineTesting.liveTable(tm, "users");
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Instant until = now.plus(GroupLease.TERM);

    assertEquals(Optional.empty(), catalog.acquireLease("users", "A", now, until));
    OnlineCatalog.Lease a = new OnlineCatalog.Lease("A", now, until);
    assertEquals(Optional.of(a), catalog.acquireLease("users", "B", until.minusMillis(1), until.plusSeconds(300)));
    catalog.advanceWatermark("users", "A", live, 5, now);
    IllegalStateException lost = assertThrows(IllegalStateException.class,
        () -> catalog.advanceWatermark("users", "B", live, 6, now));
    assertEquals("online catalog " + catalog.tableName() + ": this run (B) no longer holds the writer lease of "
        + "users: it ran out while the run was stalled and another run took over (or its live table or watermark "
        + "moved)", lost.getMessage());
    // the watermark only moves forward, and only on the live table
    assertThrows(IllegalStateException.class, () -> catalog.advanceWatermark("users", "A", live, 3, now));
    assertThrows(IllegalStateException.class, () -> catalog.advanceWatermark("users", "A",
        store.database + "_users__v0", 9, now));
    assertEquals(Optional.of(5L), catalog.find("users").orElseThrow().watermark());

    // A's lease runs out unrenewed: B takes over, and A can neither renew nor release it
    assertEquals(Optional.empty(), catalog.acquireLease("users", "B", until.plusMillis(1), until.plusSeconds(300)));
    assertEquals(false, catalog.renewLease("users", "A", until.plusSeconds(600)));
    catalog.releaseLease("users", "A");
    assertEquals(Optional.of(new OnlineCatalog.Lease("B", until.plusMillis(1), until.plusSeconds(300))),
        catalog.find("users").orElseThrow().lease());

    // A's writers on the executors find out before their next request once their known lease nears its end
    Clock late = Clock.fixed(until.minusSeconds(30), ZoneOffset.UTC);
    WriteFence aFence = new WriteFence(tm.onlineStore().connection(), catalog.tableName(), "users", "A", late,
        until.toEpochMilli());
    IllegalStateException stopped = assertThrows(IllegalStateException.class, aFence::check);
    assertEquals("materialize users: this run (A) lost its writer lease to B; its writers stopped before sending "
        + "more. The run that holds the lease now writes the group", stopped.getMessage());
    // B's own writers, knowing only an old end of the lease, read the catalog once and carry on
    WriteFence bFence = new WriteFence(tm.onlineStore().connection(), catalog.tableName(), "users", "B",
        Clock.fixed(until.plusSeconds(100), ZoneOffset.UTC), until.plusSeconds(120).toEpochMilli());
    bFence.check();
    // ...but stop once even the catalog's end of the lease is too close
    WriteFence bLate = new WriteFence(tm.onlineStore().connection(), catalog.tableName(), "users", "B",
        Clock.fixed(until.plusSeconds(250), ZoneOffset.UTC), until.plusSeconds(120).toEpochMilli());
    IllegalStateException expiring = assertThrows(IllegalStateException.class, bLate::check);
    assertEquals("materialize users: the writer lease of this run (B) runs out at " + until.plusSeconds(300)
        + " and its driver stopped renewing it; the writers stopped so that no request can race the next run",
        expiring.getMessage());

    catalog.releaseLease("users", "B");
    assertEquals(Optional.empty(), catalog.find("users").orElseThrow().lease());
  }

  /**
   * Two writers race: while the first one's write job is in flight, a second incremental run and a delete's
   * online step both stop at the lease; the first finishes exactly. A run that died holding the lease blocks the
   * group until its lease runs out, then the next run takes over and writes the same winners.
   */
  @Test
  void racingWritersWaitForTheLeaseAndADeadHoldersLeaseRunsOut() throws Exception {
    TestStore store = new TestStore("online_race").definition("users.yaml", USERS);
    Tidemark tm = OnlineTesting.tidemark(store);
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 30, "2099-05-01T00:00:00Z")
        + row("u2", 40, "2099-05-01T00:00:00Z"));
    tm.materialize("users").execute();
    OnlineTesting.ingest(tm, store, "users", HEADER, row("u1", 31, "2099-05-02T00:00:00Z")
        + row("u3", 50, "2099-05-02T00:00:00Z"));

    Faults.Gate.arm();
    java.util.concurrent.ExecutorService first = java.util.concurrent.Executors.newSingleThreadExecutor();
    MaterializeResult r;
    try {
      // one write task, so the second core stays free for the other runs' Spark jobs while it waits
      Tidemark oneTask = OnlineTesting.tidemark(store, Map.of("online.write_tasks", "1"));
      java.util.concurrent.Future<MaterializeResult> running = first.submit(() -> oneTask.materialize("users")
          .writeConnection(tm.onlineStore().connection().withInterceptors(List.of(Faults.Gate.class))).execute());
      assertTrue(Faults.Gate.ENTERED.await(60, java.util.concurrent.TimeUnit.SECONDS), "the first writer sent");
      String holder = tm.onlineStore().catalog().find("users").orElseThrow().lease().orElseThrow().owner();
      IllegalStateException second = assertThrows(IllegalStateException.class,
          () -> tm.materialize("users").execute());
      assertTrue(second.getMessage().startsWith("the online tables of users are being written by another run ("
          + holder + ", since "), second.getMessage());
      // the delete command's online step meets the lease too: the tombstones stay committed offline
      store.write("raw/delete-u2.csv", "user_id,event_time\nu2,2099-06-01T00:00:00Z\n");
      IllegalStateException delete = assertThrows(IllegalStateException.class, () -> tm.deleteRecords("users",
          store.path("raw/delete-u2.csv").toString(), SourceFormat.CSV).execute());
      assertTrue(delete.getMessage().startsWith(second.getMessage().substring(0, 40)), delete.getMessage());
      assertTrue(delete.getMessage().endsWith("; the next `tidemark materialize users` applies them online"),
          delete.getMessage());
      Faults.Gate.open();
      r = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      Faults.Gate.open();
      first.shutdownNow();
    }
    assertEquals(List.of("incremental", 2L, 2L), List.of(r.mode(), r.records(), r.written()));
    assertEquals(Optional.empty(), tm.onlineStore().catalog().find("users").orElseThrow().lease());
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z", "u2", "40@2099-05-01T00:00:00Z",
        "u3", "50@2099-05-02T00:00:00Z"), online(tm));

    // a run killed after it took the lease: nobody writes until the lease runs out
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertEquals(Optional.empty(), tm.onlineStore().catalog().acquireLease("users", "materialize on gone pid 1 "
        + "run dead0000", now, now.plus(GroupLease.TERM)));
    IllegalStateException blocked = assertThrows(IllegalStateException.class, () -> tm.materialize("users")
        .execute());
    assertEquals("the online tables of users are being written by another run (materialize on gone pid 1 run "
        + "dead0000, since " + now + "); wait for it to finish. If that run died, re-run after "
        + now.plus(GroupLease.TERM) + ", when its writer lease (5 minutes after its last renewal) has run out",
        blocked.getMessage());
    MaterializeResult after = tm.materialize("users").clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(6)))
        .execute();
    // the delete's tombstone (offline v3, not yet online) lands with the next incremental run
    assertEquals(List.of("incremental", 1L, 0L, 1L), List.of(after.mode(), after.records(), after.written(),
        after.deleted()));
    assertEquals(Map.of("u1", "31@2099-05-02T00:00:00Z", "u3", "50@2099-05-02T00:00:00Z"), online(tm));
    assertEquals(Optional.empty(), tm.onlineStore().catalog().find("users").orElseThrow().lease());
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
      // first attempt killed after 2 batch writes, then re-run with throttling still on
      Faults.Crasher.ALLOWED.set(2);
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
