package io.tidemark.cli;

import static io.tidemark.testing.CliRuns.project;
import static io.tidemark.testing.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.testing.Fixtures;
import io.tidemark.testing.CliRuns.Run;
import io.tidemark.testing.TestStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TidemarkCliTest {
  static String[] args(TestStore store, String... rest) {
    String[] all = new String[rest.length + 4];
    System.arraycopy(rest, 0, all, 0, rest.length);
    all[rest.length] = "--config";
    all[rest.length + 1] = store.path("tidemark.yaml").toString();
    all[rest.length + 2] = "--definitions";
    all[rest.length + 3] = store.path("feature-definitions").toString();
    return all;
  }

  @Test
  void helpEverywhereAndUsageErrorsExitTwo() throws Exception {
    Run help = run(() -> TidemarkCli.run("--help"));
    assertEquals(0, help.exit());
    assertTrue(help.out().contains("ingest") && help.out().contains("Exit codes"), help.out());
    for (String sub : new String[] {"ingest", "delete", "groups", "demo", "config"}) {
      Run r = run(() -> TidemarkCli.run(sub, "--help"));
      assertEquals(0, r.exit(), sub);
      assertTrue(r.out().startsWith("Usage: tidemark " + sub), r.out());
    }
    Run bad = run(() -> TidemarkCli.run("ingest", "users", "--frobnicate"));
    assertEquals(2, bad.exit());
    assertTrue(bad.err().startsWith("Unknown option: '--frobnicate'"), bad.err());
  }

  @Test
  void groupsListNeedsNoSparkAndInvalidDefinitionsExitThree() throws Exception {
    TestStore store = project("cli_groups").definition("users.yaml", Fixtures.USERS);
    Run list = run(() -> TidemarkCli.run(args(store, "groups", "list", "--json")));
    assertEquals(0, list.exit(), list.err());
    assertEquals("{\"name\":\"users\",\"record_identifier\":\"user_id\",\"event_time\":\"event_time\",\"features\":"
        + "[\"user_id\",\"age\",\"score\",\"active\",\"signup\",\"event_time\"],\"offline_format\":\"delta\","
        + "\"online\":false,\"has_source\":true}\n", list.out());

    store.definition("broken.yaml", "name: broken\nrecord_identifier: id\n");
    Run invalid = run(() -> TidemarkCli.run(args(store, "groups", "list")));
    assertEquals(3, invalid.exit());
    Path file = store.path("feature-definitions/broken.yaml");
    assertEquals("tidemark: invalid feature definitions (3 problems):\n"
        + "  " + file + ":1: missing 'features' in the feature group (list the group's features (see README))\n"
        + "  " + file + ":1: missing 'event_time' in the feature group (add event_time: <the Timestamp feature saying "
        + "when the values became true>)\n"
        + "  " + file + ":2: record_identifier 'id' is not one of the group's features (add a feature named id or "
        + "name an existing one)\n", invalid.err());
  }

  @Test
  void ingestDescribeAndDeleteThroughTheCli() throws Exception {
    TestStore store = project("cli_ingest").definition("users.yaml", Fixtures.USERS)
        .write("raw/users.csv", Fixtures.CSV)
        .write("raw/del.csv", "user_id,event_time\nu2,2024-07-01T00:00:00Z\n");
    Run ingest = run(() -> TidemarkCli.runWith(store.spark(), args(store, "ingest", "users")));
    assertEquals(0, ingest.exit(), ingest.err());
    assertTrue(ingest.out().startsWith("ingest users: read 12, written 3 (1 file), quarantined 9 ("), ingest.out());
    assertTrue(ingest.out().contains(" -> " + store.database + ".users v1 [batch "), ingest.out());

    Run again = run(() -> TidemarkCli.runWith(store.spark(), args(store, "ingest", "users")));
    assertTrue(again.out().startsWith("ingest users: this input was already committed to " + store.database
        + ".users v1 as batch "), again.out());

    Run delete = run(() -> TidemarkCli.runWith(store.spark(), args(store, "delete", "users", "--source",
        store.path("raw/del.csv").toString())));
    assertEquals(0, delete.exit(), delete.err());
    assertTrue(delete.out().startsWith("delete users: read 1, written 1 (1 file), quarantined 0 -> " + store.database
        + ".users v2"), delete.out());

    Run describe = run(() -> TidemarkCli.runWith(store.spark(), args(store, "groups", "describe", "users")));
    assertEquals(0, describe.exit(), describe.err());
    assertTrue(describe.out().contains("offline table: " + store.database + ".users at " + store.path("offline")
        + "/" + store.database + "/users, 4 rows, version 2\nlast event:   2024-07-01T00:00:00Z  (last write 20"),
        describe.out());

    // the same facts from search, as JSON (the write time is the run's: checked for its shape)
    Run search = run(() -> TidemarkCli.runWith(store.spark(), args(store, "features", "search", "age", "--table",
        "--json")));
    assertEquals(0, search.exit(), search.err());
    assertTrue(search.out().matches("\\{\"group\":\"users\",\"feature\":\"age\",\"type\":\"Integral\","
        + "\"description\":\"age in years\",\"group_description\":\"test users\",\"owner\":\"tests\",\"tags\":\\{\\},"
        + "\"offline_format\":\"delta\",\"online\":false,\"online_ttl\":null,\"ttl\":null,\"score\":10,"
        + "\"matched\":\\[\"name\"\\],\"table_rows\":4,\"last_event_time\":\"2024-07-01T00:00:00Z\","
        + "\"last_write_time\":\"20\\d\\d-[^\"]+Z\",\"table_version\":2\\}\n"), search.out());

    Run unknown = run(() -> TidemarkCli.runWith(store.spark(), args(store, "ingest", "user")));
    assertEquals(2, unknown.exit());
    assertEquals("tidemark: error: no feature group 'user' in " + store.path("feature-definitions")
        + "; did you mean 'users'? defined groups: users\n", unknown.err());
  }
}
