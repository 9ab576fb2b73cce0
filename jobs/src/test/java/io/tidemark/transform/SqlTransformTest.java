package io.tidemark.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.ingest.IngestResult;
import io.tidemark.testing.GroupYaml;
import io.tidemark.testing.TestStore;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class SqlTransformTest {
  static final String GROUP = GroupYaml.group("users", "user_id").feature("user_id", "String")
      .feature("tier", "String").feature("event_time", "Timestamp").csvSource("sql/users.sql").yaml();

  @Test
  void validTransformMapsRawColumnsToFeatures() {
    TestStore store = new TestStore("transform_ok").definition("users.yaml", GROUP)
        .write("sql/users.sql", "-- map the CRM export\nSELECT id AS user_id, upper(level) AS tier, ts AS event_time\n"
            + "FROM {{ input }} WHERE id <> 'test-account';\n")
        .write("raw/users.csv", "id,level,ts\nu1,gold,2024-05-01T00:00:00Z\ntest-account,x,2024-05-01T00:00:00Z\n");
    IngestResult r = store.tidemark().ingest("users").execute();
    assertEquals(1, r.rowsRead());
    assertEquals(List.of("[u1,GOLD]"), store.spark().sql("SELECT user_id, tier FROM " + store.database + ".users")
        .collectAsList().stream().map(Row::toString).toList());
    assertEquals(List.of(), List.of(store.spark().catalog().listTables().collectAsList().stream()
        .filter(t -> t.isTemporary() && t.name().startsWith("tidemark_")).toArray()));
  }

  @Test
  void placeholdersAreFound() {
    TestStore store = new TestStore("transform_names").write("sql/j.sql",
        "SELECT * FROM {{orders}} o JOIN {{ profiles }} p ON o.id = p.id");
    assertEquals(Set.of("orders", "profiles"), SqlTransform.load(store.spark(), store.path("sql/j.sql"))
        .placeholders());
  }

  @Test
  void emptySqlIsRejectedBeforeReadingData() {
    TestStore store = new TestStore("transform_empty").write("sql/e.sql", "-- nothing yet\n  \n");
    TransformException e = assertThrows(TransformException.class,
        () -> SqlTransform.load(store.spark(), store.path("sql/e.sql")));
    assertEquals("transform " + store.path("sql/e.sql") + ": the transform is empty (write one SELECT that reads "
        + "{{input}})", e.getMessage());
  }

  @Test
  void unparseableSqlNamesTheFileAndLine() {
    TestStore store = new TestStore("transform_bad").write("sql/b.sql", "SELECT user_id\nFROM {{input}} WHERE (");
    TransformException e = assertThrows(TransformException.class,
        () -> SqlTransform.load(store.spark(), store.path("sql/b.sql")));
    assertEquals("transform " + store.path("sql/b.sql") + ": the SQL does not parse at line 2, column 23: Syntax "
        + "error at or near end of input in: FROM {{input}} WHERE ( (fix the SQL syntax)", e.getMessage());
  }

  @Test
  void sqlWithoutPlaceholderOrMissingFile() {
    TestStore store = new TestStore("transform_noinput").write("sql/n.sql", "SELECT 1 AS user_id");
    TransformException e = assertThrows(TransformException.class,
        () -> SqlTransform.load(store.spark(), store.path("sql/n.sql")));
    assertEquals("transform " + store.path("sql/n.sql") + ": the transform never reads its input (use {{input}} "
        + "where the source table goes, e.g. SELECT ... FROM {{input}})", e.getMessage());
    TransformException missing = assertThrows(TransformException.class,
        () -> SqlTransform.load(store.spark(), store.path("sql/none.sql")));
    assertEquals("transform " + store.path("sql/none.sql") + ": the transform file does not exist (create it or fix "
        + "the path)", missing.getMessage());
  }

  @Test
  void sqlThatFailsOnItsInputNamesTheFile() {
    TestStore store = new TestStore("transform_col").definition("users.yaml", GROUP)
        .write("sql/users.sql", "SELECT nope AS user_id, level AS tier, ts AS event_time FROM {{input}}")
        .write("raw/users.csv", "id,level,ts\nu1,gold,2024-05-01T00:00:00Z\n");
    TransformException e = assertThrows(TransformException.class, () -> store.tidemark().ingest("users").execute());
    // Spark's own wording after the error class differs between 3.5 and 4.0
    assertTrue(e.getMessage().startsWith("transform " + store.path("sql/users.sql") + ": the SQL fails on its input: "
        + "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column"), e.getMessage());
    assertTrue(e.getMessage().contains(" with name `nope` cannot be resolved."), e.getMessage());
  }

  @Test
  void outputWithoutAFeatureColumnIsAnError() {
    TestStore store = new TestStore("transform_out").definition("users.yaml", GROUP)
        .write("sql/users.sql", "SELECT id AS user_id, ts AS event_time FROM {{input}}")
        .write("raw/users.csv", "id,level,ts\nu1,gold,2024-05-01T00:00:00Z\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store.tidemark().ingest("users").execute());
    assertEquals("the input of group 'users' has no column 'tier' for feature users.tier (columns: user_id, "
        + "event_time); rename it in the source, or map it in the group's transform", e.getMessage());
  }
}
