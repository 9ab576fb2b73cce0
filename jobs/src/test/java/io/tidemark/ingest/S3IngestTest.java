package io.tidemark.ingest;

import static io.tidemark.testing.Fixtures.CSV;
import static io.tidemark.testing.Fixtures.USERS;
import static io.tidemark.testing.S3MockServer.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.Tidemark;
import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureRegistry;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.testing.S3MockServer;
import io.tidemark.testing.TestStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The whole path on a real S3-compatible server (S3Mock, a separate process): raw files on S3 -> ingest -> Delta
 * offline tables on S3 -> catalog with an S3 LOCATION -> query by name.
 */
class S3IngestTest {
  private static final String USERS_ROWS = "SELECT user_id, age, score, active, CAST(signup AS STRING), "
      + "CAST(event_time AS STRING), CAST(event_date AS STRING), is_deleted FROM %s.users ORDER BY user_id";
  private static final List<String> VALID_USERS = List.of(
      "[u1,30,1.5,true,2024-01-01 00:00:00,2024-05-01 12:00:00,2024-05-01,false]",
      "[u11,1,1.0,true,null,2024-05-01 12:00:00,2024-05-01,false]",
      "[u2,41,2.25,false,null,2024-05-01 12:00:00,2024-05-01,false]");

  @Test
  void csvAndJsonFromS3IntoDeltaTablesOnS3a() {
    S3Project p = S3Project.create("s3a_ingest", "s3a", BUCKET, Map.of());
    p.put("raw/users.csv", CSV);
    p.store.definition("users.yaml", USERS);
    p.store.definition("products.yaml", SourceFormatsTest.PRODUCTS);
    p.put("raw/products.json", """
        {"product_id": "p1", "price": 9.5, "stock": 3, "on_sale": true, "event_time": "2024-05-01T00:00:00Z"}
        {"product_id": "p2", "price": "cheap", "stock": 1, "on_sale": false, "event_time": "2024-05-02T00:00:00Z"}
        """);
    Tidemark tm = p.tidemark();

    IngestResult users = tm.ingest("users").execute();
    IngestResult products = tm.ingest("products").execute();

    assertEquals(List.of(12L, 3L, 9L, false), List.of(users.rowsRead(), users.rowsWritten(), users.rowsQuarantined(),
        users.alreadyIngested()));
    assertEquals(Optional.of(1L), users.tableVersion());
    assertEquals(VALID_USERS, p.rows(USERS_ROWS.formatted(p.database())));
    assertEquals(List.of(2L, 1L, 1L), List.of(products.rowsRead(), products.rowsWritten(),
        products.rowsQuarantined()));
    assertEquals(List.of("[p1,9.5,3,true,2024-05-01 00:00:00]"), p.rows("SELECT product_id, price, stock, on_sale, "
        + "CAST(event_time AS STRING) FROM " + p.database() + ".products"));

    // registered in the catalog with the S3 location; the files are in the bucket
    assertEquals(p.base + "/offline/" + p.database() + "/users", p.location("users"));
    assertEquals(p.base + "/offline/" + p.database() + "/users__quarantine", p.location("users__quarantine"));
    Row detail = p.store.spark().sql("DESCRIBE DETAIL " + p.database() + ".users").first();
    assertEquals("delta", detail.getString(detail.fieldIndex("format")));
    assertEquals(List.of("event_date"), detail.getList(detail.fieldIndex("partitionColumns")));
    assertEquals(List.of("_delta_log/00000000000000000000.json", "_delta_log/00000000000000000001.json",
        "event_date=2024-05-01/part-*.snappy.parquet"), p.files("offline/" + p.database() + "/users/"));

    // quarantine on S3, with the S3 source of each row
    assertEquals(List.of("[" + p.base + "/raw/users.csv,9]"), p.rows("SELECT source, count(*) FROM " + p.database()
        + ".users__quarantine GROUP BY source"));
    assertEquals(List.of("[price: not a Fractional: 'cheap']"),
        p.rows("SELECT array_join(reasons, ', ') FROM " + p.database() + ".products__quarantine"));

    // the same S3 input again writes nothing; a changed object is a new batch
    IngestResult again = tm.ingest("users").execute();
    assertTrue(again.alreadyIngested());
    assertEquals(users.batchId(), again.batchId());
    assertEquals(List.of("[3]"), p.rows("SELECT count(*) FROM " + p.database() + ".users"));
    assertEquals(List.of("[9]"), p.rows("SELECT count(*) FROM " + p.database() + ".users__quarantine"));
    assertEquals(List.of(users.batchId(), products.batchId()), p.rows("SELECT batch_id FROM delta.`" + p.base
        + "/offline/_tidemark/batches` ORDER BY group_name DESC").stream().map(r -> r.substring(1, r.length() - 1))
        .toList());

    p.put("raw/users.csv", CSV + "u13,5,5,true,,2024-06-01T00:00:00Z\n");
    IngestResult changed = tm.ingest("users").execute();
    assertFalse(changed.alreadyIngested());
    assertEquals(4, changed.rowsWritten());
    assertEquals(List.of("[2024-05-01,6]", "[2024-06-01,1]"), p.rows("SELECT CAST(event_date AS STRING), count(*) "
        + "FROM " + p.database() + ".users GROUP BY event_date ORDER BY event_date"));
  }

  @Test
  void s3SchemeIsServedByS3a() {
    S3Project p = S3Project.create("s3_scheme", "s3", BUCKET, Map.of());
    p.put("raw/users.csv", CSV);
    p.store.definition("users.yaml", USERS);

    IngestResult r = p.tidemark().ingest("users").execute();

    assertEquals(List.of(12L, 3L, 9L), List.of(r.rowsRead(), r.rowsWritten(), r.rowsQuarantined()));
    assertTrue(p.base.startsWith("s3://"), p.base);
    assertEquals(p.base + "/offline/" + p.database() + "/users", p.location("users"));
    assertEquals(VALID_USERS, p.rows(USERS_ROWS.formatted(p.database())));
    assertEquals(List.of("_delta_log/00000000000000000000.json", "_delta_log/00000000000000000001.json",
        "event_date=2024-05-01/part-*.snappy.parquet"), p.files("offline/" + p.database() + "/users/"));
    assertTrue(p.tidemark().ingest("users").execute().alreadyIngested());
  }

  @Test
  void sseKmsKeyEncryptsEveryObjectTidemarkWrites() {
    S3MockServer server = S3MockServer.get();
    server.trustCertificate();
    S3Project p = S3Project.create("s3_kms", "s3a", S3MockServer.KMS_BUCKET,
        Map.of("s3.kms_key", S3MockServer.KMS_KEY_ID, "s3.endpoint", server.httpsEndpoint()));
    p.put("raw/users.csv", CSV);
    p.store.definition("users.yaml", USERS);
    Configuration shared = p.store.spark().sparkContext().hadoopConfiguration();
    try {
      IngestResult r = p.tidemark().ingest("users").execute();

      assertEquals(3, r.rowsWritten());
      assertEquals(VALID_USERS, p.rows(USERS_ROWS.formatted(p.database())));
      List<String> written = p.keys("offline/");
      assertTrue(written.size() > 5, written.toString());
      for (String key : written) {
        HeadObjectResponse head = S3MockServer.get().client()
            .headObject(b -> b.bucket(p.bucket).key(p.prefix + "offline/" + key));
        assertEquals("aws:kms " + S3MockServer.KMS_KEY_ID, head.serverSideEncryptionAsString() + " "
            + head.ssekmsKeyId(), key);
      }
      // the raw input was put without encryption: the check above does see the difference
      HeadObjectResponse raw = S3MockServer.get().client()
          .headObject(b -> b.bucket(p.bucket).key(p.prefix + "raw/users.csv"));
      assertEquals(null, raw.ssekmsKeyId());
    } finally {
      // the shared session's later S3 file systems (other buckets) must not inherit this test's encryption
      shared.unset("fs.s3a.encryption.algorithm");
      shared.unset("fs.s3a.encryption.key");
    }
  }

  @Test
  void aMissingS3PathIsAClearError() {
    S3Project p = S3Project.create("s3_missing", "s3a", BUCKET, Map.of());
    p.store.definition("products.yaml", SourceFormatsTest.PRODUCTS);
    IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
        () -> p.tidemark().ingest("products").execute());
    assertTrue(noFile.getMessage().startsWith("cannot read json source '" + p.base + "/raw/products.json': "
        + "[PATH_NOT_FOUND] Path does not exist"), noFile.getMessage());

    String noBucket = "s3a://tidemark-no-such-bucket/raw/products.json";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.tidemark().ingest("products").source(noBucket, SourceFormat.JSON).execute());
    assertTrue(e.getMessage().startsWith("cannot read json source '" + noBucket + "': "), e.getMessage());
    assertTrue(e.getMessage().contains("The specified bucket does not exist"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(check the path, or pass --source PATH --format FMT)"), e.getMessage());
  }

  /** A test project whose raw data and offline root are on S3 ({@code <scheme>://BUCKET/<database>/...}). */
  private static final class S3Project {
    final TestStore store;
    final String bucket;
    final String prefix;
    final String base;
    final TidemarkConfig config;

    private S3Project(TestStore store, String scheme, String bucket, Map<String, String> extra) {
      this.store = store;
      this.bucket = bucket;
      this.prefix = store.database + "/";
      this.base = scheme + "://" + bucket + "/" + store.database;
      Map<String, String> settings = new TreeMap<>(S3MockServer.get().settings());
      settings.put("offline.root", base + "/offline");
      settings.put("catalog.database", store.database);
      settings.put("variables.raw_root", base + "/raw");
      settings.putAll(extra);
      this.config = TidemarkConfig.forHome(store.dir.resolve("home"), settings);
      // a local server either answers or is broken: fail in seconds instead of S3A's minutes of retries
      Configuration shared = store.spark().sparkContext().hadoopConfiguration();
      shared.set("fs.s3a.attempts.maximum", "2");
      shared.set("fs.s3a.retry.limit", "2");
      shared.set("fs.s3a.connection.establish.timeout", "5000");
    }

    static S3Project create(String name, String scheme, String bucket, Map<String, String> extra) {
      return new S3Project(new TestStore(name), scheme, bucket, extra);
    }

    String database() {
      return store.database;
    }

    Tidemark tidemark() {
      return Tidemark.create(store.spark(), config,
          FeatureRegistry.load(store.dir.resolve("feature-definitions"), store.dir, config.variables()));
    }

    void put(String relative, String text) {
      S3MockServer.get().put(bucket, prefix + relative, text);
    }

    /** Keys under {@code <database>/<relative>}, relative to that prefix. */
    List<String> keys(String relative) {
      return S3MockServer.get().keys(bucket, prefix + relative).stream()
          .map(k -> k.substring(prefix.length() + relative.length())).toList();
    }

    /**
     * The Delta commits and data files under {@code <database>/<relative>} (relative to it), with the data files'
     * random names as {@code part-*}; Delta's other bookkeeping (checksums, directory markers) is left out.
     */
    List<String> files(String relative) {
      return keys(relative).stream()
          .filter(k -> k.startsWith("_delta_log/") ? k.matches("_delta_log/\\d{20}\\.json") : !k.endsWith("/"))
          .map(k -> k.replaceAll("part-[^/]*\\.snappy\\.parquet$", "part-*.snappy.parquet")).toList();
    }

    String location(String table) {
      return store.spark().sql("DESCRIBE TABLE EXTENDED " + store.database + "." + table).collectAsList().stream()
          .filter(r -> r.getString(0).equals("Location")).map(r -> r.getString(1)).findFirst().orElseThrow();
    }

    List<String> rows(String sql) {
      return store.spark().sql(sql).collectAsList().stream().map(Row::toString).toList();
    }
  }
}
