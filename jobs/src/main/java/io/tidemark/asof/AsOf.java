package io.tidemark.asof;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** "Value as of t" over an offline history (record id, event time, write_time, is_deleted, values). */
public final class AsOf {
  private AsOf() {}

  /**
   * The winning version of each record among {@code history} (filter it to "as of t" first): one row per key
   * with the key, the event time, write_time, is_deleted and the value columns. A winning tombstone is returned
   * (is_deleted = true) so that callers can delete downstream. One hash aggregation, no join, no sort.
   */
  public static Dataset<Row> latestPerKey(Dataset<Row> history, String key, String eventTime,
      List<String> valueColumns) {
    List<String> order = RecordOrder.columns(eventTime, valueColumns);
    List<Column> out = new ArrayList<>();
    out.add(col(key));
    order.forEach(c -> out.add(col("w." + c).as(c)));
    return history.select(col(key), struct(order.stream().map(c -> col(c)).toArray(Column[]::new)).as("v"))
        .groupBy(key).agg(max(col("v")).as("w"))
        .select(out.toArray(Column[]::new));
  }
}
