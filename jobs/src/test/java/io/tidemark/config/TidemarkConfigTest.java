package io.tidemark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TidemarkConfigTest {
  @TempDir
  Path dir;

  @Test
  void embeddedDefaultsLiveUnderTidemarkHome() {
    TidemarkConfig c = TidemarkConfig.load(Optional.empty(), Map.of("TIDEMARK_HOME", dir.toString()));
    assertEquals(dir, c.home());
    assertEquals(dir.resolve("offline").toString(), c.offlineRoot());
    assertEquals("tidemark", c.database());
    assertEquals(true, c.embeddedMetastore());
    assertEquals("local", c.get("online.endpoint"));
    assertEquals(Map.of("raw_root", dir + "/demo/raw"), c.variables());
  }

  @Test
  void fileOverridesDefaultsAndEnvironmentOverridesFile() throws IOException {
    Path file = dir.resolve("tidemark.yaml");
    Files.writeString(file, """
        offline:
          root: s3://my-bucket/features/
        catalog:
          database: ml_features
          metastore: external
        variables:
          raw_root: s3://my-bucket/raw
        spark:
          conf:
            spark.sql.shuffle.partitions: 400
            fs.s3a.secret.key: hush
        """);
    TidemarkConfig c = TidemarkConfig.load(Optional.of(file), Map.of("TIDEMARK_HOME", dir.toString(),
        "TIDEMARK_CATALOG_DATABASE", "from_env", "TIDEMARK_ONLINE_TABLE_PREFIX", "prod_"));
    assertEquals("s3://my-bucket/features", c.offlineRoot());
    assertEquals("from_env", c.database());
    assertEquals("prod_", c.get("online.table_prefix"));
    assertEquals(false, c.embeddedMetastore());
    assertEquals(Map.of("spark.sql.shuffle.partitions", "400", "fs.s3a.secret.key", "hush"), c.sparkConf());
    assertEquals("****", c.describe().get("spark.conf.fs.s3a.secret.key"));
    assertEquals("400", c.describe().get("spark.conf.spark.sql.shuffle.partitions"));
  }

  @Test
  void unknownSettingsAreErrors() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "offline:\n  rot: /tmp/x\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TidemarkConfig.load(Optional.of(file), Map.of("TIDEMARK_HOME", dir.toString())));
    assertEquals(file + ": unknown setting 'offline.rot'; known settings: catalog.database, catalog.lock_wait, catalog.metastore, "
        + "offline.root, offline.target_file_size, online.endpoint, online.grace_period, online.kms_key, online.region, online.table_prefix, "
        + "online.write_capacity, online.write_concurrency, online.write_tasks, s3.access_key, s3.endpoint, s3.kms_key, s3.path_style, s3.region, s3.secret_key, spark.master, "
        + "variables.<name>, spark.conf.<spark setting>", e.getMessage());
    IllegalArgumentException env = assertThrows(IllegalArgumentException.class, () -> TidemarkConfig.load(
        Optional.empty(), Map.of("TIDEMARK_HOME", dir.toString(), "TIDEMARK_OFFLINE_ROUTE", "x")));
    assertEquals(true, env.getMessage().startsWith("environment variable TIDEMARK_OFFLINE_ROUTE: unknown setting "
        + "'offline.route'"), env.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TidemarkConfig.load(Optional.of(dir.resolve("missing.yaml")), Map.of()));
    // launcher variables are not settings
    TidemarkConfig ok = TidemarkConfig.load(Optional.empty(), Map.of("TIDEMARK_HOME", dir.toString(),
        "TIDEMARK_JAVA_OPTS", "-Xmx8g", "TIDEMARK_DEFINITIONS", "/defs", "TIDEMARK_RUNNER", "emr"));
    assertEquals("tidemark", ok.database());
  }

  @Test
  void environmentVariablesAreSubstituted() throws IOException {
    Path file = dir.resolve("t.yaml");
    Files.writeString(file, "offline:\n  root: s3://${BUCKET}/fs\n");
    assertEquals("s3://b1/fs", TidemarkConfig.load(Optional.of(file), Map.of("BUCKET", "b1")).offlineRoot());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TidemarkConfig.load(Optional.of(file), Map.of()));
    assertEquals("setting offline.root refers to ${BUCKET}, which is not set in the environment", e.getMessage());
  }
}
