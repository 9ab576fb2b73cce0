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

  /**
   * {@link #latestPerKey} of the records that have at least one row with {@code mark} true, each with the
   * winner's own mark in {@code markColumn}: which records a set of rows touched, and whether their winner is one
   * of them, in the same single aggregation. (The mark comes last in the compared struct: it only breaks a tie of
   * two rows equal in every column of the record order.)
   */
  public static Dataset<Row> latestPerMarkedKey(Dataset<Row> history, String key, String eventTime,
      List<String> valueColumns, Column mark, String markColumn) {
    List<String> order = RecordOrder.columns(eventTime, valueColumns);
    List<Column> fields = new ArrayList<>();
    order.forEach(c -> fields.add(col(c)));
    fields.add(mark.as(markColumn));
    List<Column> out = new ArrayList<>();
    out.add(col(key));
    order.forEach(c -> out.add(col("w." + c).as(c)));
    out.add(col("w." + markColumn).as(markColumn));
    return history.select(col(key), struct(fields.toArray(Column[]::new)).as("v"))
        .groupBy(key).agg(max(col("v")).as("w"), max(col("v." + markColumn)).as("touched"))
        .where(col("touched"))
        .select(out.toArray(Column[]::new));
  }
}
