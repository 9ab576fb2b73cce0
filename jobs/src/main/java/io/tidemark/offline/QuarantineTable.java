package io.tidemark.offline;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Rows an ingest refused, with every reason and the raw row as JSON: {@code <database>.<group>__quarantine}
 * (Delta). Nothing an ingest reads is lost: it is in the offline table or here.
 */
public final class QuarantineTable {
  public static final String BATCH_ID = "batch_id";
  public static final String WRITE_TIME = "write_time";
  public static final String SOURCE = "source";
  public static final String REASONS = "reasons";
  public static final String RAW_ROW = "raw_row";

  private static final String DESCRIPTION = "rows an ingest refused, with every reason and the raw row";

  private final OfflineStore store;
  private final String group;
  private final String name;

  QuarantineTable(OfflineStore store, String group) {
    this.store = store;
    this.group = group;
    this.name = group + "__quarantine";
  }

  public String tableName() {
    return store.database() + "." + name;
  }

  public String location() {
    return store.location(name);
  }

  public void ensureRegistered() {
    store.ensureSideTable(name, "batch_id STRING COMMENT 'the ingest batch', "
        + "write_time TIMESTAMP COMMENT 'when the batch started', "
        + "source STRING COMMENT 'where the row was read', "
        + "reasons ARRAY<STRING> COMMENT 'every rule the row broke', "
        + "raw_row STRING COMMENT 'the input row as JSON'", DESCRIPTION,
        Map.of("tidemark.group", group, "tidemark.kind", "quarantine"));
  }

  public void append(Dataset<Row> rows, String appId) {
    rows.select(BATCH_ID, WRITE_TIME, SOURCE, REASONS, RAW_ROW).write().format("delta").mode(SaveMode.Append)
        .option("txnAppId", appId).option("txnVersion", 0L).save(location());
  }

  public Dataset<Row> read() {
    return store.spark().table(tableName());
  }
}
