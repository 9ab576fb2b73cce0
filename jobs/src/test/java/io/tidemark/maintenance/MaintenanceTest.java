package io.tidemark.maintenance;

import static io.tidemark.testing.CliRuns.project;
import static io.tidemark.testing.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.cli.TidemarkCli;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.OfflineTable;
import io.tidemark.testing.CliRuns.Run;
import io.tidemark.testing.Fixtures;
import io.tidemark.testing.Rows;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import io.tidemark.training.TrainingSetResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** optimize and vacuum on real Delta tables: files, rows, versions, and the pins of training-set manifests. */
class MaintenanceTest {
  static final String HEADER = "user_id,age,score,active,signup,event_time\n";

  static String row(String id, int age, String eventTime) {
    return id + "," + age + ",1.5,true,," + eventTime + "\n";
  }

  /** Two batches over 2024-05-01 and 05-02 (one file per date each), the second also one row on 05-03. */
  static TestStore twoBatches(TestStore store) {
    store.definition("users.yaml", Fixtures.USERS)
        .write("raw/b1.csv", HEADER + row("u1", 30, "2024-05-01T10:00:00Z") + row("u2", 31, "2024-05-01T11:00:00Z")
            + row("u3", 32, "2024-05-02T10:00:00Z"))
        .write("raw/b2.csv", HEADER + row("u4", 40, "2024-05-01T12:00:00Z") + row("u1", 33, "2024-05-02T09:00:00Z")
            + row("u5", 50, "2024-05-03T10:00:00Z"));
    Tidemark tm = store.tidemark();
    tm.ingest("users").source(store.path("raw/b1.csv").toString(), SourceFormat.CSV).execute();
    tm.ingest("users").source(store.path("raw/b2.csv").toString(), SourceFormat.CSV).execute();
    return store;
  }

  /** Every row of the table, all columns, as text, sorted. */
  static List<String> rows(TestStore store) {
    return store.spark().table(store.database + ".users").collectAsList().stream().map(Row::toString).sorted()
        .toList();
  }

  /** The data files the table's current version reads, by partition folder: their names. */
  static Map<String, List<String>> currentFiles(TestStore store) {
    Map<String, List<String>> byDate = new TreeMap<>();
    for (String f : store.spark().table(store.database + ".users").inputFiles()) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f);
      byDate.computeIfAbsent(p.getParent().getName(), k -> new ArrayList<>()).add(p.getName());
    }
    return byDate;
  }

  /** The Parquet data files on disk (current or not), counted. */
  static long filesOnDisk(TestStore store) throws IOException {
    try (Stream<Path> walk = Files.walk(store.path("offline").resolve(store.database).resolve("users"))) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .count();
    }
  }

  static long bytes(TestStore store, Map<String, List<String>> files, String... dates) throws IOException {
    long total = 0;
    for (String d : dates) {
      for (String f : files.get(d)) {
        total += Files.size(store.path("offline").resolve(store.database).resolve("users").resolve(d).resolve(f));
      }
    }
    return total;
  }

  @Test
  void optimizeCompactsTheDatesThatNeedItAndChangesNoRow() throws IOException {
    TestStore store = twoBatches(new TestStore("maint_optimize"));
    Tidemark tm = store.tidemark();
    List<String> before = rows(store);
    Map<String, List<String>> filesBefore = currentFiles(store);
    assertEquals(List.of(2, 2, 1), filesBefore.values().stream().map(List::size).toList());
    long removedBytes = bytes(store, filesBefore, "event_date=2024-05-01", "event_date=2024-05-02");

    OptimizeResult r = tm.optimize("users").execute();

    Map<String, List<String>> filesAfter = currentFiles(store);
    assertEquals(List.of("event_date=2024-05-01", "event_date=2024-05-02", "event_date=2024-05-03"),
        List.copyOf(filesAfter.keySet()));
    assertEquals(List.of(1, 1, 1), filesAfter.values().stream().map(List::size).toList());
    assertEquals(filesBefore.get("event_date=2024-05-03"), filesAfter.get("event_date=2024-05-03"));
    long addedBytes = bytes(store, filesAfter, "event_date=2024-05-01", "event_date=2024-05-02");
    assertEquals(new OptimizeResult("users", store.database + ".users", "user_id", 2, 3,
        List.of("2024-05-01", "2024-05-02"), 1, 4, 2, removedBytes, addedBytes), r);
    assertEquals("optimize users: z-ordered 2 event dates by user_id: 4 files (" + removedBytes + " bytes) -> 2 "
        + "files (" + addedBytes + " bytes); 1 event dates already right-sized -> " + store.database + ".users v2 -> "
        + "v3", r.summary());
    assertEquals(before, rows(store));
    assertEquals(6, before.size());
    OfflineTable table = tm.offlineStore().forGroup(store.registry().group("users"));
    assertEquals(List.of("WRITE", "WRITE", "OPTIMIZE"), table.commits().stream().skip(1)
        .map(OfflineTable.Commit::operation).toList());

    // every date is one file now: nothing to do, no commit
    OptimizeResult again = tm.optimize("users").execute();
    assertEquals(List.of(3L, 3L, 0L, 3L), List.of(again.versionBefore(), again.versionAfter(),
        again.filesRemoved(), again.rightSized()));
    assertEquals("optimize users: nothing to compact (3 event dates already right-sized) -> " + store.database
        + ".users v3", again.summary());
  }

  @Test
  void optimizeAndVacuumNeedADeltaTable() {
    TestStore store = new TestStore("maint_parquet")
        .definition("users.yaml", Fixtures.USERS + "offline:\n  format: parquet\n")
        .write("raw/users.csv", Fixtures.CSV);
    Tidemark tm = store.tidemark();
    IllegalStateException none = assertThrows(IllegalStateException.class, () -> tm.optimize("users").execute());
    assertEquals("group 'users' has no offline table " + store.database + ".users yet; run: tidemark ingest users",
        none.getMessage());
    tm.ingest("users").execute();
    Path file = store.registry().group("users").file();
    UnsupportedOperationException optimize = assertThrows(UnsupportedOperationException.class,
        () -> tm.optimize("users").execute());
    assertEquals("optimize needs a Delta offline table; " + store.database + ".users is parquet (set offline.format: "
        + "delta in " + file + ")", optimize.getMessage());
    UnsupportedOperationException vacuum = assertThrows(UnsupportedOperationException.class,
        () -> tm.vacuum("users").execute());
    assertEquals("vacuum needs a Delta offline table; " + store.database + ".users is parquet (set offline.format: "
        + "delta in " + file + ")", vacuum.getMessage());
  }

  /**
   * A manifest pins v2; optimize replaces v2's files (v3); a second set pins v3. Vacuum with 0h would take v2's
   * files: refused, with the exact message (also through the CLI, exit 1). The default retention deletes nothing.
   * After forgetting the first manifest, vacuum deletes exactly the 4 replaced files, and the second set rebuilds
   * to the same rows. Deleting a set with its manifest un-pins it too.
   */
  @Test
  void vacuumNeverDeletesFilesARecordedManifestNeeds() throws Exception {
    TestStore store = twoBatches(project("maint_vacuum"));
    store.write("raw/spine.csv", "user_id,ts,label\nu1,2024-05-01T12:00:00Z,1\nu1,2024-05-03T00:00:00Z,0\n"
        + "u4,2024-05-02T00:00:00Z,1\nu9,2024-05-02T00:00:00Z,0\n");
    Tidemark tm = store.tidemark();
    OfflineTable table = tm.offlineStore().forGroup(store.registry().group("users"));
    Instant started = Instant.now().minusMillis(1);
    TrainingSetResult a = trainingSet(tm, store, "out/a");
    Instant finished = Instant.now();

    // the ledger says where the manifest is and which version it read
    ManifestLedger ledger = tm.offlineStore().manifests();
    List<ManifestLedger.Pin> pins = ledger.pins(store.database, "users");
    String manifestA = "file:" + store.path("out/a.manifest.json");
    assertEquals(List.of(new ManifestLedger.Pin(store.database, "users", Optional.of(2L),
        Optional.of(table.commitTime(2)), manifestA, "file:" + store.path("out/a"), pins.get(0).createdAt(),
        List.of("age"), Optional.of("file:" + store.path("raw/spine.csv")))), pins);
    assertTrue(!pins.get(0).createdAt().isBefore(started) && !pins.get(0).createdAt().isAfter(finished),
        pins.get(0).createdAt() + " not in " + started + ".." + finished);
    assertEquals(manifestA, "file:" + a.manifest());

    tm.optimize("users").execute();
    TrainingSetResult b = trainingSet(tm, store, "out/b");
    List<String> rowsB = outputRows(store, "out/b");
    assertEquals(rowsA(), rowsB);
    assertEquals(List.of(Optional.of(2L), Optional.of(3L)), ledger.pins(store.database, "users").stream()
        .map(ManifestLedger.Pin::deltaVersion).toList());

    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> tm.vacuum("users").retain(Duration.ZERO).execute());
    String expected = "vacuum users --retain 0s refused: recorded training sets still need files it would delete: "
        + "version 2 of " + store.database + ".users (committed " + table.commitTime(2) + ") needs 4 of them, pinned "
        + "by manifest " + manifestA + " (built " + pins.get(0).createdAt() + "). Keep them with --retain 1h or "
        + "longer (the shortest retention that keeps every pinned version readable now; it grows as time passes), "
        + "or un-pin a manifest with --forget-manifest PATH (that training set can then no longer be rebuilt with "
        + "--from-manifest), or delete the training set with its manifest";
    assertEquals(expected, refused.getMessage());
    Run cli = run(() -> TidemarkCli.runWith(store.spark(), cli(store, "vacuum", "users", "--retain", "0h")));
    assertEquals(List.of("1", "tidemark: error: " + expected), List.of(String.valueOf(cli.exit()), cli.err().lines()
        .filter(l -> l.startsWith("tidemark: error:")).findFirst().orElse(cli.err())));
    assertEquals(7, filesOnDisk(store));

    // Delta's default retention: the replaced files are younger than 7 days, nothing is deleted (nor at risk)
    VacuumResult kept = tm.vacuum("users").execute();
    assertEquals(List.of(0L, 3L, 5L, List.of(2L, 3L)), List.of(kept.filesDeleted(), kept.versionBefore(),
        kept.versionAfter(), kept.pinnedVersions()));
    assertEquals(7, filesOnDisk(store));

    // un-pin the first set: the 4 files only v2 read go
    VacuumResult vacuumed = tm.vacuum("users").retain(Duration.ZERO).forgetManifest(store.path("out/a.manifest.json")
        .toString()).execute();
    assertEquals(new VacuumResult("users", store.database + ".users", Duration.ZERO, 4, 5, 7, List.of(3L),
        List.of(manifestA), List.of()), vacuumed);
    assertEquals("vacuum users: deleted 4 files no version of the last 0s needs; kept every file of pinned versions "
        + "[v3]; forgot the pins of manifests [" + manifestA + "] -> " + store.database + ".users v5 -> v7",
        vacuumed.summary());
    assertEquals(3, filesOnDisk(store));
    assertEquals(List.of(Optional.of(3L)), ledger.pins(store.database, "users").stream()
        .map(ManifestLedger.Pin::deltaVersion).toList());

    // the still-pinned set rebuilds to the same rows; the forgotten one cannot (its files are gone)
    tm.trainingSet().fromManifest(b.manifest()).output(store.path("out/b2").toString(), OutputFormat.PARQUET)
        .execute();
    assertEquals(rowsB, outputRows(store, "out/b2"));
    Exception gone = assertThrows(Exception.class, () -> tm.trainingSet().fromManifest(a.manifest())
        .output(store.path("out/a2").toString(), OutputFormat.PARQUET).execute());
    assertTrue(causes(gone).stream().anyMatch(java.io.FileNotFoundException.class::isAssignableFrom),
        causes(gone).toString());

    // more data on 05-01 and an optimize replace v3's file of that date: b's pin holds it back ...
    store.write("raw/b3.csv", HEADER + row("u6", 60, "2024-05-01T13:00:00Z"));
    tm.ingest("users").source(store.path("raw/b3.csv").toString(), SourceFormat.CSV).execute();
    tm.optimize("users").execute();
    IllegalStateException again = assertThrows(IllegalStateException.class,
        () -> tm.vacuum("users").retain(Duration.ZERO).execute());
    assertTrue(again.getMessage().contains("version 3 of " + store.database + ".users (committed "
        + table.commitTime(3) + ") needs 1 of them, pinned by manifest file:" + b.manifest()), again.getMessage());
    // ... until that set is deleted with its manifest (and out/b2's, which pins v3 too)
    for (String set : List.of("out/b", "out/b2")) {
      deleteRecursively(store.path(set));
      Files.delete(store.path(set + ".manifest.json"));
    }
    VacuumResult free = tm.vacuum("users").retain(Duration.ZERO).execute();
    // the failed rebuild of a pinned v2 before it failed: its manifest was never written
    assertEquals(List.of(2L, List.of(2L, 3L), List.of(
        "manifest file:" + store.path("out/a2.manifest.json") + " does not exist (deleted, or its build failed): "
            + "its pin of users v2 does not count",
        "manifest file:" + b.manifest() + " does not exist (deleted, or its build failed): its pin of users v3 does "
            + "not count",
        "manifest file:" + store.path("out/b2.manifest.json") + " does not exist (deleted, or its build failed): its "
            + "pin of users v3 does not count")),
        List.of(free.filesDeleted(), free.pinnedVersions(), free.warnings()));
    assertEquals(3, filesOnDisk(store));
  }

  @Test
  void optimizeThroughTheCli() throws Exception {
    TestStore store = twoBatches(project("maint_cli"));
    Run r = run(() -> TidemarkCli.runWith(store.spark(), cli(store, "optimize", "users")));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("optimize users: z-ordered 2 event dates by user_id: 4 files ("), r.out());
    assertTrue(r.out().endsWith("; 1 event dates already right-sized -> " + store.database + ".users v2 -> v3\n"),
        r.out());
    Run vacuum = run(() -> TidemarkCli.runWith(store.spark(), cli(store, "vacuum", "users", "--retain", "0h")));
    assertEquals(0, vacuum.exit(), vacuum.err());
    assertEquals("vacuum users: deleted 4 files no version of the last 0s needs -> " + store.database
        + ".users v3 -> v5\n", vacuum.out());
  }

  static String[] cli(TestStore store, String... rest) {
    List<String> all = new ArrayList<>(Arrays.asList(rest));
    all.addAll(List.of("--config", store.path("tidemark.yaml").toString(), "--definitions",
        store.path("feature-definitions").toString()));
    return all.toArray(String[]::new);
  }

  static TrainingSetResult trainingSet(Tidemark tm, TestStore store, String output) {
    return tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:age").label("label").output(store.path(output).toString(), OutputFormat.PARQUET).execute();
  }

  static List<String> rowsA() {
    return List.of("[u1,2024-05-01T12:00:00Z,1,30]", "[u1,2024-05-03T00:00:00Z,0,33]",
        "[u4,2024-05-02T00:00:00Z,1,40]", "[u9,2024-05-02T00:00:00Z,0,null]");
  }

  static List<String> outputRows(TestStore store, String output) {
    return Rows.sorted(store.spark().read().parquet(store.path(output).toString()));
  }

  static List<Class<?>> causes(Throwable t) {
    List<Class<?>> out = new ArrayList<>();
    for (Throwable c = t; c != null && !out.contains(c.getClass()); c = c.getCause()) {
      out.add(c.getClass());
    }
    return out;
  }

  static void deleteRecursively(Path dir) {
    io.tidemark.testing.TestSpark.deleteRecursively(dir);
  }
}
