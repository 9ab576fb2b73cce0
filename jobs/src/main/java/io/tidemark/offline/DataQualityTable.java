package io.tidemark.offline;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * One row per batch describing the health of a group's data: {@code <database>.<group>__data_quality} (Delta).
 * {@code features} maps each feature to its null count and rate and, for numbers, min / max / mean of the rows
 * written, so {@code SELECT write_time, features['age'].mean FROM ...} plots a feature's history.
 */
public final class DataQualityTable {
  public static final String DDL = "batch_id STRING, write_time TIMESTAMP, kind STRING, rows_read BIGINT, "
      + "rows_written BIGINT, rows_quarantined BIGINT, rows_out_of_range BIGINT, "
      + "quarantined_by_reason MAP<STRING, BIGINT>, warnings_by_rule MAP<STRING, BIGINT>, "
      + "features MAP<STRING, STRUCT<null_count: BIGINT, null_rate: DOUBLE, min: DOUBLE, max: DOUBLE, mean: DOUBLE>>";

  private static final String DESCRIPTION = "one row per batch: counts, quarantine reasons, per-feature statistics";

  private final OfflineStore store;
  private final String group;
  private final String name;

  DataQualityTable(OfflineStore store, String group) {
    this.store = store;
    this.group = group;
    this.name = group + "__data_quality";
  }

  public String tableName() {
    return store.database() + "." + name;
  }

  public void append(Dataset<Row> record, String appId) {
    store.ensureSideTable(name, DDL, DESCRIPTION, Map.of("tidemark.group", group, "tidemark.kind", "data_quality"));
    record.write().format("delta").mode(SaveMode.Append).option("txnAppId", appId).option("txnVersion", 0L)
        .save(store.location(name));
  }

  public Dataset<Row> read() {
    return store.spark().table(tableName());
  }
}
