package io.tidemark.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.offline.ErasureLedger;
import io.tidemark.runtime.LocalDynamoDb;
import io.tidemark.testing.GroupYaml;
import io.tidemark.testing.Rows;
import io.tidemark.testing.TestSpark;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * GDPR erasure on real Delta tables, the embedded metastore and a dynalite server: the erased ids appear nowhere
 * (history, quarantine, online, the audit, what a later ingest keeps), counts are conserved, other ids untouched.
 */
class EraseTest {
  private static final String USERS = users().online(null).yaml();
  private static final String HEADER = "user_id,age,event_time\n";

  private static GroupYaml users() {
    return GroupYaml.group("users", "user_id").describedBy("test users", "tests").feature("user_id", "String")
        .feature("age", "Integral", "rules: [{min: 0, max: 150}]").feature("event_time", "Timestamp");
  }

  private static Tidemark tidemark(TestStore store) {
    return Tidemark.create(store.spark(), store.config.with(Map.of("online.endpoint",
        LocalDynamoDb.inMemory("tests", TestSpark.target("online")), "online.table_prefix", store.database + "_")),
        store.registry());
  }

  private static IngestResult ingest(Tidemark tm, TestStore store, String file, String rows) {
    store.write(file, HEADER + rows);
    return tm.ingest("users").source(store.path(file).toString(), SourceFormat.CSV).execute();
  }

  @Test
  void erasedIdsAppearNowhereAndComeBackOnlyAfterTheLift() throws Exception {
    TestStore store = new TestStore("erase").definition("users.yaml", USERS)
        .write("raw/spine.csv", "user_id,ts\nu1,2099-06-01T00:00:00Z\n");
    Tidemark tm = tidemark(store);
    ingest(tm, store, "raw/a.csv", "u1,30,2099-05-01T00:00:00Z\nu2,40,2099-05-01T00:00:00Z\n"
        + "u3,50,2099-05-01T00:00:00Z\nu2,999,2099-05-02T00:00:00Z\nu4,999,2099-05-02T00:00:00Z\n");
    ingest(tm, store, "raw/b.csv", "u2,41,2099-05-03T00:00:00Z\nu3,51,2099-05-03T00:00:00Z\n");
    tm.materialize("users").execute();
    String t1 = store.path("out/t1").toString();
    tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:age").output(t1, OutputFormat.PARQUET).execute();
    assertTrue(tm.onlineStore().get("users", "u2").isPresent());

    // a training set read a version holding u2: refused, naming it, and nothing erased
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> tm.erase("users").ids(List.of("u2", "u9")).reason("ticket 4711").execute());
    assertEquals("erase users: 1 recorded training set read a version holding these ids, and could not be rebuilt "
        + "after the erasure (their outputs also hold the ids' values): file:" + t1 + ".manifest.json. Pass "
        + "--release-manifests to erase anyway (their pins are released so vacuum can remove the erased rows' "
        + "files); nothing was erased", refused.getMessage());
    assertEquals(5L, store.spark().table(store.database + ".users").count());

    EraseResult erased = tm.erase("users").ids(List.of("u2", "u9", "u2")).reason("ticket 4711").requestedBy("dpo")
        .releaseManifests(true).execute();
    ErasureLedger.Entry e = erased.entry();
    // 2 history rows of u2 (u9 has none), its quarantined row (age 999), its online item; the delete is v3
    assertEquals(List.of(2L, 2L, 1L, 1L, 3L), List.of(e.ids(), e.offlineRowsDeleted(), e.quarantineRowsDeleted(),
        e.onlineItemsDeleted(), e.tableVersion().orElseThrow()));
    assertEquals(List.of("file:" + t1 + ".manifest.json"), e.releasedManifests());
    assertEquals(List.of(), tm.offlineStore().manifests().pins(store.database, "users"));

    // other ids untouched, everywhere
    assertEquals(List.of("[u1,30]", "[u3,50]", "[u3,51]"), Rows.sorted(store.spark().table(store.database
        + ".users").selectExpr("user_id", "age")));
    assertEquals(List.of("[u4]"), Rows.sorted(store.spark().table(store.database + ".users__quarantine")
        .selectExpr("get_json_object(raw_row, '$.user_id')")));
    assertFalse(tm.onlineStore().get("users", "u2").isPresent());
    assertEquals(51L, tm.onlineStore().get("users", "u3").orElseThrow().get("age"));

    // the audit holds who, why and counts, never the ids
    assertEquals(1, store.spark().read().format("delta").load(tm.offlineStore().erasures().auditLocation()).count());
    assertEquals("[" + e.erasureId() + "," + store.database + ",users,erase,dpo,ticket 4711,2,2,1,1,3]",
        Rows.text(store.spark().read().format("delta").load(tm.offlineStore().erasures().auditLocation())
            .drop("at", "released_manifests").first()));
    for (String table : List.of("/_tidemark/erasures", "/_tidemark/erased_ids")) {
      String dir = tm.offlineStore().root() + table;
      for (Row r : store.spark().read().format("delta").load(dir).collectAsList()) {
        assertFalse(List.of(Rows.text(r).split("[\\[\\],]")).contains("u2"), Rows.text(r));
      }
      assertFalse(contains(Path.of(dir, "_delta_log"), "\"u2\""), dir);
    }
    // a later ingest refuses u2: quarantined with the erasure's reason and without its row; counts add up
    IngestResult again = ingest(tm, store, "raw/c.csv", "u2,42,2099-05-04T00:00:00Z\nu5,20,2099-05-04T00:00:00Z\n");
    assertEquals(List.of(2L, 1L, 1L), List.of(again.rowsRead(), again.rowsWritten(), again.rowsQuarantined()));
    assertEquals(Map.of("user_id: record id erased by erasure " + e.erasureId() + "; not stored (lift the erasure "
        + "to ingest it again)", 1L), again.quarantineReasons());
    assertEquals(List.of("[null]", "[u4]"), Rows.sorted(store.spark().table(store.database + ".users__quarantine")
        .selectExpr("get_json_object(raw_row, '$.user_id')")));
    assertEquals(0L, store.spark().table(store.database + ".users").where("user_id = 'u2'").count());

    // lifted: u2 may come back
    EraseResult lifted = tm.erase("users").reason("consent given again").lift(e.erasureId());
    assertEquals("erase users: lifted erasure " + e.erasureId() + " (2 record ids may be ingested again)",
        lifted.summary());
    IngestResult back = ingest(tm, store, "raw/d.csv", "u2,43,2099-05-05T00:00:00Z\n");
    assertEquals(List.of(1L, 1L, 0L), List.of(back.rowsRead(), back.rowsWritten(), back.rowsQuarantined()));
    assertEquals(List.of("erase", "lift"), tm.offlineStore().erasures().entries(store.database, "users").stream()
        .map(ErasureLedger.Entry::kind).toList());
  }

  @Test
  void refusalsSayWhatToDo() {
    TestStore store = new TestStore("erase_bad").definition("users.yaml", users().with("offline: {format: parquet}")
        .yaml());
    Tidemark tm = tidemark(store);
    ingest(tm, store, "raw/a.csv", "u1,30,2099-05-01T00:00:00Z\n");
    RuntimeException parquet = assertThrows(RuntimeException.class, () -> tm.erase("users").ids(List.of("u1"))
        .execute());
    assertTrue(parquet.getMessage().startsWith("erase users: the offline table " + store.database + ".users is "
        + "Parquet, whose files cannot delete rows in place; set offline.format: delta in "), parquet.getMessage());
    RuntimeException none = assertThrows(RuntimeException.class, () -> tm.erase("users").ids(List.of()).execute());
    assertEquals("erase users: no record ids given (pass --ids FILE, one id per line)", none.getMessage());
    RuntimeException unknown = assertThrows(RuntimeException.class, () -> tm.erase("users").lift("nope"));
    assertTrue(unknown.getMessage().startsWith("erase users --lift: no erasure nope of group users in "),
        unknown.getMessage());
  }

  /** True when any file under {@code dir} holds {@code text} (Delta's JSON log). */
  private static boolean contains(Path dir, String text) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".json")).anyMatch(f -> {
        try {
          return Files.readString(f).contains(text);
        } catch (java.io.IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
      });
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }
}
