package io.tidemark.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.BadRequestException;
import io.tidemark.Tidemark;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.Fixtures;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import io.tidemark.util.Hashing;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lineage in both directions over real builds: ingests, a delete, two training sets of different versions. */
class LineageTest {
  private static final String SQL = "SELECT * FROM {{input}}";

  @Test
  void bothDirections() {
    TestStore store = io.tidemark.testing.CliRuns.project("lineage").definition("users.yaml", Fixtures.USERS + "  transform: sql/users.sql\n")
        .write("sql/users.sql", SQL).write("raw/users.csv", Fixtures.CSV)
        .write("raw/more.csv", "user_id,age,score,active,signup,event_time\nu4,50,3.5,true,,2024-06-01T00:00:00Z\n")
        .write("raw/del.csv", "user_id,event_time\nu2,2024-07-01T00:00:00Z\n")
        .write("raw/spine.csv", "user_id,ts\nu1,2024-08-01T00:00:00Z\nu4,2024-08-01T00:00:00Z\n");
    Tidemark tm = store.tidemark();
    IngestResult first = tm.ingest("users").execute();
    String t1 = store.path("out/t1").toString();
    tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:age,score").output(t1, OutputFormat.PARQUET).execute();
    IngestResult delete = tm.delete("users").from(store.path("raw/del.csv").toString(), SourceFormat.CSV).execute();
    IngestResult more = tm.ingest("users").source(store.path("raw/more.csv").toString(), SourceFormat.CSV).execute();
    String t2 = store.path("out/t2").toString();
    tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:score").output(t2, OutputFormat.PARQUET).execute();

    Lineage lineage = Lineage.of(tm.offlineStore());
    String file = "file:" + store.path("out");
    String spine = "file:" + store.path("raw/spine.csv");
    // group -> training sets, with the version each read and the features each took
    assertEquals(List.of(file + "/t1 v1 [age, score] " + spine + " true", file + "/t2 v3 [score] " + spine + " true"),
        uses(lineage.usedBy("users", Optional.empty())));
    assertEquals(List.of(file + "/t1 v1 [age, score] " + spine + " true"),
        uses(lineage.usedBy("users", Optional.of("age"))));
    assertEquals(List.of(), uses(lineage.usedBy("users", Optional.of("active"))));
    assertEquals(List.of(), uses(lineage.usedBy("items", Optional.empty())));

    // training set -> groups, versions, the batches that made each version, their input files and transform
    String sqlHash = Hashing.sha256Hex(SQL);
    String sql = store.path("sql/users.sql").toString();
    Lineage.TrainingSet one = lineage.trainingSet(t1);
    assertEquals(List.of("users v1 [age, score]",
        "  ingest " + first.batchId() + " v1 3 rows [file://" + store.path("raw/users.csv") + "] " + sql + " " + sqlHash),
        sources(one));
    assertEquals(List.of(file + "/t1", file + "/t1.manifest.json", "true", spine),
        List.of(one.output(), one.manifest(), String.valueOf(one.manifestWritten()), one.spine().orElseThrow()));
    // found by its manifest too
    Lineage.TrainingSet two = lineage.trainingSet(t2 + ".manifest.json");
    assertEquals(List.of("users v3 [score]",
        "  ingest " + first.batchId() + " v1 3 rows [file://" + store.path("raw/users.csv") + "] " + sql + " " + sqlHash,
        "  delete " + delete.batchId() + " v2 1 rows [file://" + store.path("raw/del.csv") + "] - -",
        "  ingest " + more.batchId() + " v3 1 rows [file://" + store.path("raw/more.csv") + "] " + sql + " " + sqlHash),
        sources(two));

    // the same through the CLI
    io.tidemark.testing.CliRuns.Run byFeature = cli(store, "lineage", "users.age");
    assertEquals(0, byFeature.exit(), byFeature.err());
    List<String> lines = byFeature.out().lines().toList();
    assertEquals(2, lines.size(), byFeature.out());
    assertEquals("users.age was read by 1 training set:", lines.get(0));
    assertTrue(lines.get(1).matches("  20\\S+Z  " + java.util.regex.Pattern.quote(file + "/t1  (users v1: age, score; "
        + "spine " + spine + ")")), lines.get(1));
    io.tidemark.testing.CliRuns.Run bySet = cli(store, "lineage", "--training-set", t2);
    assertEquals(0, bySet.exit(), bySet.err());
    List<String> set = bySet.out().lines().toList();
    assertTrue(set.get(0).startsWith("training set " + file + "/t2, built 20"), set.get(0));
    assertTrue(set.get(0).endsWith(" from spine " + spine + "; manifest " + file + "/t2.manifest.json"), set.get(0));
    assertEquals("  users v3: score", set.get(1));
    assertTrue(set.get(2).startsWith("    ingest " + first.batchId().substring(0, 12) + " -> v1 at 20"), set.get(2));
    assertTrue(set.get(2).endsWith(": 3 rows written from " + store.path("raw/users.csv") + " through " + sql
        + " (sha256 " + sqlHash.substring(0, 12) + ")"), set.get(2));
    assertEquals("      file://" + store.path("raw/users.csv"), set.get(3));
    assertEquals(8, set.size(), bySet.out());
    io.tidemark.testing.CliRuns.Run both = cli(store, "lineage", "users", "--training-set", t2);
    assertEquals(2, both.exit());

    BadRequestException unknown = assertThrows(BadRequestException.class,
        () -> lineage.trainingSet(store.path("out/none").toString()));
    assertTrue(unknown.getMessage().startsWith("no training set recorded at " + file + "/none in "),
        unknown.getMessage());
  }

  private static io.tidemark.testing.CliRuns.Run cli(TestStore store, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--config", store.path("tidemark.yaml").toString(), "--definitions",
        store.path("feature-definitions").toString()));
    try {
      return io.tidemark.testing.CliRuns.run(() -> io.tidemark.cli.TidemarkCli.runWith(store.spark(),
          all.toArray(String[]::new)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> uses(List<Lineage.Use> uses) {
    return uses.stream().map(u -> u.output() + " v" + u.version().orElseThrow() + " " + u.features() + " "
        + u.spine().orElseThrow() + " " + u.manifestWritten()).toList();
  }

  private static List<String> sources(Lineage.TrainingSet t) {
    return t.groups().stream().flatMap(g -> java.util.stream.Stream.concat(
        java.util.stream.Stream.of(g.group() + " v" + g.version().orElseThrow() + " " + g.features()),
        g.batches().stream().map(b -> "  " + b.kind() + " " + b.batchId() + " v" + b.tableVersion().orElseThrow()
            + " " + b.rowsWritten() + " rows " + b.inputs() + " " + b.transform().orElse("-") + " "
            + b.transformSha256().orElse("-")))).toList();
  }
}
