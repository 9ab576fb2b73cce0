package io.tidemark.runtime;

import io.tidemark.config.TidemarkConfig;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession for the CLI and tests. Library code never calls this: it receives its session.
 */
public final class SparkSessions {
  private static final String ANSI = "spark.sql.ansi.enabled";

  /**
   * How timestamps and dates are written to Parquet (and so to Delta): as microseconds in the proleptic Gregorian
   * calendar, so any instant from year 0001 to 9999 is written as is. Spark's defaults (INT96, and EXCEPTION for
   * values before 1900 / 1582) abort a whole batch on one old time with WRITE_ANCIENT_DATETIME.
   */
  public static final java.util.Map<String, String> TIMESTAMP_SETTINGS = java.util.Map.of(
      "spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS",
      "spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED",
      "spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED");

  private SparkSessions() {}

  /** Sets {@link #TIMESTAMP_SETTINGS} on a running session, except those its owner set explicitly. */
  private static final String DELTA_SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";

  public static void applyTimestampSettings(SparkSession spark) {
    TIMESTAMP_SETTINGS.forEach((k, v) -> {
      if (!spark.conf().contains(k)) {
        spark.conf().set(k, v);
      }
    });
  }

  /** The session for a CLI run: the spark-submit one when launched by spark-submit, else a local one. */
  public static SparkSession forCli(TidemarkConfig config) {
    boolean submitted = System.getProperty("spark.master") != null;
    SparkSession.Builder builder = SparkSession.builder().appName("tidemark");
    if (!submitted) {
      builder.master(config.get("spark.master"))
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1");
      if (config.get("spark.master").startsWith("local")) {
        withLocalDefaults(builder);
      }
    }
    withTidemarkDefaults(builder);
    if (config.embeddedMetastore()) {
      withEmbeddedMetastore(builder, config.home());
    }
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.enableHiveSupport().getOrCreate();
    // before the first catalog or S3 access: the Hive client copies the Hadoop settings when it starts
    S3Settings.apply(spark, config);
    return spark;
  }

  /**
   * Settings every Tidemark session needs: UTC, INT64 timestamps, Delta's SQL extension and catalog, and ANSI mode
   * off unless spark-submit sets it. Spark 4 turns ANSI on by default, under which a CAST of a malformed value fails the job
   * instead of giving NULL; feature definitions and SQL transforms must behave the same on Spark 3.5 and 4.
   */
  public static SparkSession.Builder withTidemarkDefaults(SparkSession.Builder builder) {
    if (System.getProperty(ANSI) == null) {
      builder.config(ANSI, "false");
    }
    TIMESTAMP_SETTINGS.forEach((k, v) -> {
      if (System.getProperty(k) == null) {
        builder.config(k, v);
      }
    });
    return builder
        .config("spark.sql.session.timeZone", "UTC")
        // INT64 microseconds, not the deprecated INT96, in every Parquet file Tidemark writes
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
  }

  /**
   * For a session in one JVM ({@code local[...]}): Delta rebuilds a table's state from its log in 50 partitions by
   * default, sized for clusters; on a laptop's few cores those tiny tasks cost seconds per commit and per read of
   * the batch ledger (measured with {@code ./bench ingest}), so use one per core.
   */
  public static SparkSession.Builder withLocalDefaults(SparkSession.Builder builder) {
    if (System.getProperty(DELTA_SNAPSHOT_PARTITIONS) == null) {
      builder.config(DELTA_SNAPSHOT_PARTITIONS, String.valueOf(Runtime.getRuntime().availableProcessors()));
    }
    return builder;
  }

  /** An embedded Derby Hive metastore and warehouse under {@code home}, so two homes never see each other. */
  public static SparkSession.Builder withEmbeddedMetastore(SparkSession.Builder builder, Path home) {
    Path metastore = home.resolve("metastore").toAbsolutePath();
    System.setProperty("derby.system.home", metastore.toString());
    String url = "jdbc:derby:;databaseName=" + metastore.resolve("metastore_db") + ";create=true";
    return builder
        .config("spark.sql.warehouse.dir", home.resolve("warehouse").toAbsolutePath().toUri().toString())
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", url)
        .config("javax.jdo.option.ConnectionURL", url)
        // Hive's client makes a directory per session for downloaded resources, <tmp>/<session id>_resources, and
        // Spark never closes the session that would delete it: one directory for every session of the home
        .config("spark.hadoop.hive.downloaded.resources.dir", home.resolve("tmp/hive-resources").toAbsolutePath()
            .toString())
        .config("spark.sql.catalogImplementation", "hive");
  }
}
