package io.tidemark.offline;

import io.tidemark.config.TidemarkConfig;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.util.Sql;
import org.apache.spark.sql.SparkSession;

/**
 * The offline store: one append-only history table per feature group under a root (local folder or s3://),
 * registered in the catalog database. Hands out {@link OfflineTable}s, like {@code DeltaTable.forPath}.
 */
public final class OfflineStore {
  private final SparkSession spark;
  private final String root;
  private final String database;

  public OfflineStore(SparkSession spark, String root, String database) {
    this.spark = spark;
    this.root = root.replaceAll("/+$", "");
    this.database = database;
  }

  public static OfflineStore of(SparkSession spark, TidemarkConfig config) {
    return new OfflineStore(spark, config.offlineRoot(), config.database());
  }

  public OfflineTable forGroup(FeatureGroup group) {
    return new OfflineTable(this, group);
  }

  public BatchLedger ledger() {
    return new BatchLedger(spark, root + "/_tidemark/batches");
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

  String location(String table) {
    return root + "/" + database + "/" + table;
  }

  void ensureDatabase() {
    spark.sql("CREATE DATABASE IF NOT EXISTS " + Sql.quote(database) + " LOCATION "
        + Sql.literal(root + "/" + database));
  }
}
