package io.tidemark.offline;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * One row per batch and feature: the feature's profile (counts, distinct estimate, deciles, histogram, top values)
 * in the rows the batch wrote, {@code <database>.<group>__profile} (Delta). {@code SELECT write_time, deciles FROM
 * ... WHERE feature = 'age'} is a feature's distribution over time.
 */
public final class ProfileTable {
  public static final String DDL = "batch_id STRING, write_time TIMESTAMP, kind STRING, feature STRING, "
      + "feature_kind STRING, count BIGINT, missing BIGINT, distinct_estimate BIGINT, min DOUBLE, max DOUBLE, "
      + "mean DOUBLE, deciles ARRAY<DOUBLE>, histogram_edges ARRAY<DOUBLE>, histogram_counts ARRAY<BIGINT>, "
      + "top_values ARRAY<STRUCT<value: STRING, count: BIGINT>>";

  private static final String DESCRIPTION = "one row per batch and feature: count, missing, distinct estimate, "
      + "deciles, histogram, top values";

  private final OfflineStore store;
  private final String group;
  private final String name;

  ProfileTable(OfflineStore store, String group) {
    this.store = store;
    this.group = group;
    this.name = group + "__profile";
  }

  public String tableName() {
    return store.database() + "." + name;
  }

  public void append(Dataset<Row> rows, String appId) {
    store.ensureSideTable(name, DDL, DESCRIPTION, Map.of("tidemark.group", group, "tidemark.kind", "profile"));
    rows.coalesce(1).write().format("delta").mode(SaveMode.Append).option("txnAppId", appId)
        .option("txnVersion", 0L).save(store.location(name));
  }

  public Dataset<Row> read() {
    return store.spark().table(tableName());
  }
}
