package io.tidemark.offline;

import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/** The Delta writes every offline commit is made of. */
final class DeltaWrites {
  private DeltaWrites() {}

  /** An append of {@code rows} to a Delta table. */
  static DataFrameWriter<Row> append(Dataset<Row> rows) {
    return rows.write().format("delta").mode(SaveMode.Append);
  }

  /**
   * Makes {@code write} idempotent: Delta records {@code appId} in the commit and skips a later commit with the
   * same id, so a batch re-run after its commit (e.g. after a crash before the ledger) writes nothing twice.
   */
  static <T> DataFrameWriter<T> once(DataFrameWriter<T> write, String appId) {
    return write.option("txnAppId", appId).option("txnVersion", 0L);
  }
}
