package io.tidemark.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.Fixtures;
import io.tidemark.testing.Rows;
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
  void collectionFeaturesAreArrayColumnsInTheEntry() throws SQLException {
    TestStore store = new TestStore("catalog_coll").definition("items.yaml", """
        name: items
        record_identifier: id
        event_time: t
        features:
          - {name: id, type: String}
          - {name: tags, type: String, collection: list, description: labels}
          - {name: sizes, type: Integral, collection: set}
          - {name: vec, type: Fractional, collection: vector, dimension: 2}
          - {name: t, type: Timestamp}
        source: {path: "${raw_root}/items.csv", format: csv}
        """).write("raw/items.csv", "id,tags,sizes,vec,t\na,\"[\"\"x\"\"]\",[2],\"[1, 2]\",2024-05-01T00:00:00Z\n");
    store.tidemark().ingest("items").execute();
    String columns = Raw.of(store.database, "items").columns;
    assertEquals("[id string '', tags array<string> 'labels', sizes array<bigint> '', vec array<double> '', "
        + "t timestamp '', ", columns.substring(0, columns.indexOf("write_time")));
    assertEquals(List.of("[a,[\"x\"],[2],[1.0,2.0]]"), Rows.sorted(store.spark().sql("SELECT id, to_json(tags), "
        + "to_json(sizes), to_json(vec) FROM " + store.database + ".items")));
  }

  @Test
  void aDeltaGroupsEntryHasItsColumnsPartitionKeysLocationAndParameters() throws SQLException {
    TestStore store = taggedUsers("catalog_delta");
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

  /**
   * CSV (with a header), headerless sagemaker-csv and Parquet training sets registered with --register-table: the
   * raw entry has the real columns, the location, Tidemark's parameters, a comment and, for CSV, the text SerDe
   * Athena reads RFC 4180 files with; Spark still reads each table back exactly.
   */
  @Test
  void registeredCsvAndParquetTrainingSetsTellTheirColumnsSerdeAndParameters() throws SQLException {
    TestStore store = new TestStore("catalog_sets").definition("users.yaml", Fixtures.USERS)
        .write("raw/users.csv", Fixtures.CSV)
        .write("raw/spine.csv", "user_id,ts,label,note\nu1,2024-06-01T00:00:00Z,1,\"a, \"\"b\"\"\"\n"
            + "u2,2024-06-01T00:00:00Z,0,plain\n");
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    String spine = store.path("raw/spine.csv").toString();
    String csvOut = store.path("out/csv").toString();
    tm.trainingSet().spine(spine, SourceFormat.CSV).spineTimeColumn("ts").features("users:age,signup")
        .label("label").output(csvOut, OutputFormat.CSV).registerTable(store.database + ".train_csv").execute();

    Raw csv = Raw.of(store.database, "train_csv");
    assertEquals(List.of("[user_id string '', ts string 'timestamp as text, yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX (UTC)', "
            + "label bigint '', note string '', age bigint '', "
            + "signup string 'timestamp as text, yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX (UTC)']", "[]", "file:" + csvOut,
            "EXTERNAL_TABLE", "org.apache.hadoop.hive.serde2.OpenCSVSerde", "org.apache.hadoop.mapred.TextInputFormat"),
        List.of(csv.columns, csv.partitionKeys, csv.location, csv.type, csv.serde, csv.inputFormat));
    assertEquals(Map.of("separatorChar", ",", "quoteChar", "\"", "escapeChar", "\\", "path", "file:" + csvOut),
        csv.serdeParams(List.of("separatorChar", "quoteChar", "escapeChar", "path")));
    assertEquals(Map.of("comment", "training set written by Tidemark to " + csvOut, "tidemark.kind", "training_set",
        "tidemark.output", csvOut), csv.tidemarkParams());
    assertEquals(Map.of("skip.header.line.count", "1", "spark.sql.sources.provider", "csv", "EXTERNAL", "TRUE"),
        csv.params(List.of("skip.header.line.count", "spark.sql.sources.provider", "EXTERNAL")));
    // Spark reads it with its own schema and CSV options: a quoted comma and doubled quotes come back intact
    assertEquals(List.of("[u1,2024-06-01T00:00:00Z,1,a, \"b\",30,2024-01-01T00:00:00Z]",
        "[u2,2024-06-01T00:00:00Z,0,plain,41,null]"), Rows.sorted(store.spark().table(store.database + ".train_csv")));

    String smOut = store.path("out/sm").toString();
    tm.trainingSet().spine(spine, SourceFormat.CSV).spineTimeColumn("ts").features("users:age,signup")
        .label("label").output(smOut, OutputFormat.SAGEMAKER_CSV).registerTable(store.database + ".train_sm")
        .execute();
    Raw sm = Raw.of(store.database, "train_sm");
    assertEquals(List.of("[label double 'bigint as a number; a missing value is NaN', age double 'bigint as a number; "
            + "a missing value is NaN', signup double 'bigint as a number; a missing value is NaN']", "file:" + smOut,
            "org.apache.hadoop.hive.serde2.OpenCSVSerde", "0", "tidemark.output=" + smOut),
        List.of(sm.columns, sm.location, sm.serde, sm.params.get("skip.header.line.count"),
            "tidemark.output=" + sm.params.get("tidemark.output")));
    // Spark reads its own schema (bigint) with nullValue NaN: the missing signup is null
    assertEquals(List.of("[0,41,null]", "[1,30,1704067200000]"), Rows.sorted(store.spark().table(store.database + ".train_sm")));

    String pqOut = store.path("out/pq").toString();
    tm.trainingSet().spine(spine, SourceFormat.CSV).spineTimeColumn("ts").features("users:age,signup")
        .label("label").output(pqOut, OutputFormat.PARQUET).registerTable(store.database + ".train_pq").execute();
    Raw pq = Raw.of(store.database, "train_pq");
    assertEquals(List.of("[user_id string '', ts timestamp '', label bigint '', note string '', age bigint '', "
            + "signup timestamp '']", "file:" + pqOut, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
        List.of(pq.columns, pq.location, pq.serde));
    assertEquals(Map.of("comment", "training set written by Tidemark to " + pqOut, "tidemark.kind", "training_set",
        "tidemark.output", pqOut), pq.tidemarkParams());
    assertEquals(Rows.sorted(store.spark().table(store.database + ".train_csv")), Rows.sorted(store.spark().table(store.database + ".train_pq")));
  }

  /**
   * A group table an older Tidemark registered (Spark's placeholder entry) gets its truthful entry on the next
   * ingest, not only after a schema change; a changed description, owner or tags follow; an entry that already
   * tells the truth is not written again.
   */
  @Test
  void anOlderEntryAndChangedParametersAreRewrittenOnTheNextIngest() throws SQLException {
    TestStore store = taggedUsers("catalog_old");
    Tidemark tm = store.tidemark();
    tm.ingest("users").execute();
    String location = store.path("offline").resolve(store.database).resolve("users").toString();
    // what Tidemark before issue 12 left: Spark's own entry of a Delta table
    store.spark().sql("DROP TABLE " + store.database + ".users");
    store.spark().sql("CREATE TABLE " + store.database + ".users USING delta LOCATION '" + location + "'");
    Raw old = Raw.of(store.database, "users");
    assertEquals(List.of("[col array<string> 'from deserializer']", "[]", "{}"),
        List.of(old.columns, old.partitionKeys, old.tidemarkParams().toString()));

    store.definition("users.yaml", Fixtures.USERS.replace("description: test users", "description: customer "
        + "profiles").replace("owner: tests", "owner: ml-platform\ntags: {team: growth}"))
        .write("raw/users.csv", Fixtures.CSV.replace("u1,30", "u1,31"));
    store.tidemark().ingest("users").execute();
    Raw users = Raw.of(store.database, "users");
    assertEquals(List.of(USERS_COLUMNS, EVENT_DATE_KEY, "file:" + location, "DELTA"),
        List.of(users.columns, users.partitionKeys, users.location, users.params.get("table_type")));
    assertEquals(Map.of("comment", "customer profiles", "tidemark.group", "users", "tidemark.owner", "ml-platform",
        "tidemark.record_identifier", "user_id", "tidemark.event_time", "event_time", "tidemark.tag.team", "growth"),
        users.tidemarkParams());
    assertTrue(users.params.get(CatalogEntry.FINGERPRINT).matches("[0-9a-f]{64}"), users.params.toString());
    assertEquals(6L, store.spark().table(store.database + ".users").count());

    // up to date: the next ingest and a direct sync write nothing
    store.write("raw/users.csv", Fixtures.CSV.replace("u1,30", "u1,32"));
    store.tidemark().ingest("users").execute();
    Raw same = Raw.of(store.database, "users");
    assertEquals(List.of(users.tblId, users.params.get("transient_lastDdlTime")),
        List.of(same.tblId, same.params.get("transient_lastDdlTime")));
    assertEquals(false, CatalogEntry.sync(store.tidemark().offlineStore(), store.database, "users__quarantine",
        CatalogEntry.Storage.DELTA, "rows an ingest refused, with every reason and the raw row",
        Map.of("tidemark.group", "users", "tidemark.kind", "quarantine")));
  }

  /** A users group tagged domain=crm, with the fixture's raw rows. */
  static TestStore taggedUsers(String name) {
    return new TestStore(name)
        .definition("users.yaml", Fixtures.USERS.replace("owner: tests", "owner: tests\ntags: {domain: crm}"))
        .write("raw/users.csv", Fixtures.CSV);
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
      Map<String, String> serdeParams, String serde, String inputFormat, long tblId) {
    Map<String, String> params(List<String> keys) {
      return pick(params, keys);
    }

    Map<String, String> serdeParams(List<String> keys) {
      return pick(serdeParams, keys);
    }

    /** Tidemark's own parameters ({@code tidemark.*}) and the comment. */
    /** Tidemark's parameters and the comment, but for the fingerprint of what the entry was synced for. */
    Map<String, String> tidemarkParams() {
      Map<String, String> picked = new TreeMap<>();
      params.forEach((k, v) -> {
        if ((k.startsWith("tidemark.") && !k.equals(CatalogEntry.FINGERPRINT)) || k.equals("comment")) {
          picked.put(k, v);
        }
      });
      return picked;
    }

    private static Map<String, String> pick(Map<String, String> from, List<String> keys) {
      Map<String, String> picked = new TreeMap<>();
      keys.forEach(k -> picked.put(k, from.get(k)));
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
        String lib = one(c, "SELECT d.SLIB FROM SERDES d JOIN SDS s ON d.SERDE_ID = s.SERDE_ID WHERE s.SD_ID = ?",
            sdId);
        String input = one(c, "SELECT INPUT_FORMAT FROM SDS WHERE SD_ID = ?", sdId);
        return new Raw(type, location, columns, keys, params, serde, lib, input, tblId);
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
