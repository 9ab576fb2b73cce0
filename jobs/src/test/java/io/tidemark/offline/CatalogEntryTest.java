package io.tidemark.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.Fixtures;
import io.tidemark.testing.TestSpark;
import io.tidemark.testing.TestStore;
import io.tidemark.training.OutputFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the catalog holds for each kind of table, read from the metastore's own database (Derby's tables TBLS,
 * COLUMNS_V2, PARTITION_KEYS, SDS, TABLE_PARAMS, SERDE_PARAMS: what Glue or Athena would be given), not through
 * Spark's catalog, which restores its own view from Spark's properties.
 */
class CatalogEntryTest {
  private static final String USERS_COLUMNS = "[user_id string 'the user', age bigint 'age in years', "
      + "score double '', active boolean '', signup timestamp '', event_time timestamp '', "
      + "write_time timestamp 'when the batch that wrote the row started', "
      + "api_invocation_time timestamp 'when the ingest was requested', "
      + "is_deleted boolean 'true for a tombstone (delete)']";
  private static final String EVENT_DATE_KEY = "[event_date date 'UTC date of the event time (partition)']";

  @Test
  void aDeltaGroupsEntryHasItsColumnsPartitionKeysLocationAndParameters() throws SQLException {
    TestStore store = new TestStore("catalog_delta")
        .definition("users.yaml", Fixtures.USERS.replace("owner: tests", "owner: tests\ntags: {domain: crm}"))
        .write("raw/users.csv", Fixtures.CSV);
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();

    Raw users = Raw.of(store.database, "users");
    String location = "file:" + store.path("offline").resolve(store.database).resolve("users");
    assertEquals(List.of(USERS_COLUMNS, EVENT_DATE_KEY, location, "EXTERNAL_TABLE", location),
        List.of(users.columns, users.partitionKeys, users.location, users.type, users.serdeParams.get("path")));
    assertEquals(Map.of("table_type", "DELTA", "comment", "test users", "tidemark.group", "users",
        "tidemark.owner", "tests", "tidemark.record_identifier", "user_id", "tidemark.event_time", "event_time",
        "tidemark.tag.domain", "crm", "spark.sql.sources.provider", "delta", "EXTERNAL", "TRUE"),
        users.params(List.of("table_type", "comment", "tidemark.group", "tidemark.owner",
            "tidemark.record_identifier", "tidemark.event_time", "tidemark.tag.domain", "spark.sql.sources.provider",
            "EXTERNAL")));
    // Spark and Delta still read the table as before
    assertEquals(3L, store.spark().table(store.database + ".users").count());
    org.apache.spark.sql.Row detail = store.spark().sql("DESCRIBE DETAIL " + store.database + ".users").first();
    assertEquals(List.of("event_date"), detail.getList(detail.fieldIndex("partitionColumns")));

    Raw quarantine = Raw.of(store.database, "users__quarantine");
    assertEquals(List.of("[batch_id string 'the ingest batch', write_time timestamp 'when the batch started', "
            + "source string 'where the row was read', reasons array<string> 'every rule the row broke', "
            + "raw_row string 'the input row as JSON']", "[]", "DELTA", "quarantine", "users"),
        List.of(quarantine.columns, quarantine.partitionKeys, quarantine.params.get("table_type"),
            quarantine.params.get("tidemark.kind"), quarantine.params.get("tidemark.group")));
    Raw quality = Raw.of(store.database, "users__data_quality");
    assertEquals(List.of("[batch_id string '', write_time timestamp '', kind string '', rows_read bigint '', "
            + "rows_written bigint '', rows_quarantined bigint '', rows_out_of_range bigint '', "
            + "quarantined_by_reason map<string,bigint> '', warnings_by_rule map<string,bigint> '', "
            + "features map<string,struct<null_count:bigint,null_rate:double,min:double,max:double,mean:double>> "
            + "'']", "DELTA", "data_quality"),
        List.of(quality.columns, quality.params.get("table_type"), quality.params.get("tidemark.kind")));

    // a new feature: the entry follows
    store.definition("users.yaml", Fixtures.USERS.replace("  - {name: event_time, type: Timestamp}",
        "  - {name: event_time, type: Timestamp}\n  - {name: city, type: String, description: where they live}"))
        .write("raw/users.csv", "user_id,age,score,active,signup,event_time,city\n"
            + "u1,31,1.5,true,,2024-06-01T00:00:00Z,Lyon\n");
    store.tidemark().ingest("users").execute();
    assertEquals(USERS_COLUMNS.replace("]", ", city string 'where they live']"), Raw.of(store.database, "users")
        .columns);
    assertEquals(List.of("[u1,Lyon]"), store.spark().sql("SELECT user_id, city FROM " + store.database
        + ".users WHERE city IS NOT NULL").collectAsList().stream().map(Object::toString).toList());
  }

  @Test
  void aParquetGroupAndARegisteredDeltaTrainingSetTellTheirColumnsToo() throws SQLException {
    TestStore store = new TestStore("catalog_parquet")
        .definition("users.yaml", Fixtures.USERS + "offline:\n  format: parquet\n")
        .write("raw/users.csv", Fixtures.CSV)
        .write("raw/spine.csv", "user_id,ts,label\nu1,2024-06-01T00:00:00Z,1\n");
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    Raw users = Raw.of(store.database, "users");
    assertEquals(List.of(USERS_COLUMNS, EVENT_DATE_KEY,
            "file:" + store.path("offline").resolve(store.database).resolve("users"), "test users"),
        List.of(users.columns, users.partitionKeys, users.location, users.params.get("comment")));

    tm.trainingSet().spine(store.path("raw/spine.csv").toString(), SourceFormat.CSV).spineTimeColumn("ts")
        .features("users:age").label("label").output(store.path("out/train").toString(), OutputFormat.DELTA)
        .registerTable(store.database + ".train").execute();
    Raw train = Raw.of(store.database, "train");
    // the columns of the Delta log (a CSV spine's columns typed, its join key kept as text)
    assertEquals(List.of("[user_id string '', ts timestamp '', label bigint '', age bigint '']", "DELTA",
            "training_set", "file:" + store.path("out/train")),
        List.of(train.columns, train.params.get("table_type"), train.params.get("tidemark.kind"), train.location));
  }

  @Test
  void aCatalogTableElsewhereThanOfflineRootIsAClearError() {
    TestStore store = new TestStore("catalog_moved").definition("users.yaml", Fixtures.USERS)
        .write("raw/users.csv", Fixtures.CSV);
    store.tidemark().ingest("users").execute();
    String other = store.path("elsewhere").toString();
    TidemarkConfig moved = store.config.with(Map.of("offline.root", other));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Tidemark.create(store.spark(), moved, store.registry()).ingest("users").force(true).execute());
    String registered = "file:" + store.path("offline").resolve(store.database).resolve("users");
    assertEquals("catalog table " + store.database + ".users is at " + registered + ", but offline.root puts group "
        + "users at " + other + "/" + store.database + "/users; set offline.root to the root that holds "
        + store.database + "/users (file:" + store.path("offline") + "), or use another catalog.database",
        e.getMessage());
  }

  @Test
  void catalogLocationsAreWrittenAsAthenaReadsThem() {
    assertEquals(List.of("s3://bucket/fs/tidemark/users", "s3://bucket/x", "file:/data/offline/users",
            "file:/data/offline/users"),
        List.of(CatalogEntry.catalogLocation("s3a://bucket/fs/tidemark/users/"), CatalogEntry.catalogLocation(
            "s3://bucket/x"), CatalogEntry.catalogLocation("/data/offline/users"),
            CatalogEntry.catalogLocation("file:/data/offline/users")));
    assertEquals(List.of(true, false), List.of(CatalogEntry.sameLocation("s3a://b/t/users", "s3://b/t/users/"),
        CatalogEntry.sameLocation("s3a://b/t/users", "s3a://b/other/users")));
  }

  /** One table's raw metastore entry. */
  record Raw(String type, String location, String columns, String partitionKeys, Map<String, String> params,
      Map<String, String> serdeParams) {
    Map<String, String> params(List<String> keys) {
      Map<String, String> picked = new TreeMap<>();
      keys.forEach(k -> picked.put(k, params.get(k)));
      return picked;
    }

    static Raw of(String database, String table) throws SQLException {
      String url = "jdbc:derby:;databaseName=" + TestSpark.target("test-spark", "metastore", "metastore_db");
      try (Connection c = DriverManager.getConnection(url)) {
        long tblId;
        long sdId;
        String type;
        try (PreparedStatement s = c.prepareStatement("SELECT t.TBL_ID, t.SD_ID, t.TBL_TYPE FROM TBLS t JOIN DBS d "
            + "ON t.DB_ID = d.DB_ID WHERE d.NAME = ? AND t.TBL_NAME = ?")) {
          s.setString(1, database);
          s.setString(2, table);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
              throw new AssertionError("no metastore entry " + database + "." + table);
            }
            tblId = r.getLong(1);
            sdId = r.getLong(2);
            type = r.getString(3);
          }
        }
        String location = one(c, "SELECT LOCATION FROM SDS WHERE SD_ID = ?", sdId);
        String columns = fields(c, "SELECT c.COLUMN_NAME, c.TYPE_NAME, c.\"COMMENT\" FROM COLUMNS_V2 c JOIN SDS s "
            + "ON c.CD_ID = s.CD_ID WHERE s.SD_ID = ? ORDER BY c.INTEGER_IDX", sdId);
        String keys = fields(c, "SELECT PKEY_NAME, PKEY_TYPE, PKEY_COMMENT FROM PARTITION_KEYS WHERE TBL_ID = ? "
            + "ORDER BY INTEGER_IDX", tblId);
        Map<String, String> params = pairs(c, "SELECT PARAM_KEY, PARAM_VALUE FROM TABLE_PARAMS WHERE TBL_ID = ?",
            tblId);
        Map<String, String> serde = pairs(c, "SELECT p.PARAM_KEY, p.PARAM_VALUE FROM SERDE_PARAMS p JOIN SDS s ON "
            + "p.SERDE_ID = s.SERDE_ID WHERE s.SD_ID = ?", sdId);
        return new Raw(type, location, columns, keys, params, serde);
      }
    }

    private static String one(Connection c, String sql, long id) throws SQLException {
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setLong(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getString(1) : null;
        }
      }
    }

    private static String fields(Connection c, String sql, long id) throws SQLException {
      List<String> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setLong(1, id);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(r.getString(1) + " " + r.getString(2) + " '" + (r.getString(3) == null ? "" : r.getString(3))
                + "'");
          }
        }
      }
      return out.toString();
    }

    private static Map<String, String> pairs(Connection c, String sql, long id) throws SQLException {
      Map<String, String> out = new TreeMap<>();
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setLong(1, id);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.put(r.getString(1), r.getString(2));
          }
        }
      }
      return out;
    }
  }
}
