package io.tidemark.offline;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.util.Hashing;
import io.tidemark.util.Sql;
import io.tidemark.util.SessionSettings;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The offline store: one append-only history table per feature group under a root (local folder or s3://),
 * registered in the catalog database. Hands out {@link OfflineTable}s, like {@code DeltaTable.forPath}.
 */
public final class OfflineStore {
  /** {@code offline.target_file_size}'s default: what Athena, Trino and Spark read well. */
  public static final long DEFAULT_TARGET_FILE_BYTES = 128L << 20;

  private final SparkSession spark;
  private final String root;
  private final String database;
  private final long targetFileBytes;
  private final boolean embeddedMetastore;

  /**
   * @param targetFileBytes about how large the offline files are written: a partition (event date) smaller than
   *     this goes into one file, a larger one into files of about this size
   * @param embeddedMetastore the catalog is the embedded Derby metastore (local runs), not Glue or a metastore
   *     service
   */
  public OfflineStore(SparkSession spark, String root, String database, long targetFileBytes,
      boolean embeddedMetastore) {
    this.spark = spark;
    this.root = root.replaceAll("/+$", "");
    this.database = database;
    this.targetFileBytes = targetFileBytes;
    this.embeddedMetastore = embeddedMetastore;
  }

  public static OfflineStore of(SparkSession spark, TidemarkConfig config) {
    return new OfflineStore(spark, config.offlineRoot(), config.database(), config.offlineTargetFileBytes(),
        config.embeddedMetastore());
  }

  public OfflineTable forGroup(FeatureGroup group) {
    return new OfflineTable(this, group);
  }

  public BatchLedger ledger() {
    return new BatchLedger(spark, root + "/_tidemark/batches");
  }

  /** Where training-set manifests are and which table versions they read ({@link ManifestLedger}). */
  public ManifestLedger manifests() {
    return new ManifestLedger(spark, root + "/_tidemark/manifests");
  }

  /** GDPR erasures: the audit and the hashes of erased ids ({@link ErasureLedger}). */
  public ErasureLedger erasures() {
    return new ErasureLedger(spark, root);
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String database() {
    return database;
  }

  public long targetFileBytes() {
    return targetFileBytes;
  }

  public boolean embeddedMetastore() {
    return embeddedMetastore;
  }

  /**
   * Runs a write with adaptive query execution aiming at partitions of the target file size: REBALANCE then
   * splits and coalesces to about that size (size first, not parallelism first). The session's settings are
   * restored afterwards.
   */
  public void withTargetFileSize(Runnable write) {
    SessionSettings.with(spark, targetFileSizeSettings(), write);
  }

  /** The settings {@link #withTargetFileSize} applies (adaptive query execution aiming at the target size). */
  public Map<String, String> targetFileSizeSettings() {
    return Map.of(
        "spark.sql.adaptive.enabled", "true",
        "spark.sql.adaptive.advisoryPartitionSizeInBytes", String.valueOf(targetFileBytes),
        "spark.sql.adaptive.coalescePartitions.parallelismFirst", "false",
        "spark.sql.adaptive.optimizeSkewsInRebalancePartitions.enabled", "true");
  }

  String location(String table) {
    return root + "/" + database + "/" + table;
  }

  /**
   * Registers a side table of a fixed schema (a group's quarantine or data-quality table) at its location: created
   * when missing, its catalog entry made to tell the truth ({@link CatalogEntry#sync}); when the entry already says
   * it was synced for this very table, that is one read of the entry.
   */
  void ensureSideTable(String name, String ddl, String description, Map<String, String> parameters) {
    String create = "CREATE TABLE IF NOT EXISTS " + Sql.quote(database) + "." + Sql.quote(name) + " (" + ddl
        + ") USING delta LOCATION " + Sql.literal(location(name)) + " COMMENT " + Sql.literal(description);
    String fingerprint = Hashing.sha256Hex(create + new java.util.TreeMap<>(parameters));
    if (CatalogEntry.upToDate(this, database, name, location(name), fingerprint)) {
      return;
    }
    ensureDatabase();
    spark.sql(create);
    Map<String, String> params = new java.util.HashMap<>(parameters);
    params.put(CatalogEntry.FINGERPRINT, fingerprint);
    // also an entry an older Tidemark registered: it is made to tell the truth (nothing is written otherwise)
    CatalogEntry.sync(this, database, name, CatalogEntry.Storage.DELTA, description, params);
  }

  void ensureDatabase() {
    spark.sql("CREATE DATABASE IF NOT EXISTS " + Sql.quote(database) + " LOCATION "
        + Sql.literal(root + "/" + database));
  }
}
