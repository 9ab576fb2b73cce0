package io.tidemark.asof;

import static io.tidemark.util.Sql.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_micros;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * A source's history as the merge reads it, pruned before the shuffle to the needed columns and to the spine's
 * time range ({@link #spineTimeBounds}).
 */
final class HistorySide {
  private HistorySide() {}

  /**
   * Source {@code s} (number {@code g} of its pass) as rows of: key, first spine time the row may serve, source
   * index, write micros, tombstone flag, event micros (when not the same as the first spine time), then the pass's
   * value slots ({@link ValueSlots}: this source's values, nulls in the slots it does not use). {@code bounds} are
   * the least and greatest spine time, both null when no spine row has a time.
   */
  static Dataset<Row> of(AsOfSource s, int g, DataType keyType, Instant[] bounds, ValueSlots slots,
      AsOfOptions options) {
    Column event = unix_micros(col(quote(s.eventTime())));
    Column write = unix_micros(col(RecordOrder.WRITE_TIME));
    Column eligible = event.plus(lit(options.eventShiftMicros()));
    if (options.asKnownAt()) {
      eligible = greatest(eligible, write);
    }
    Dataset<Row> h = s.history();
    if (options.asOf().isPresent()) {
      h = h.where(col(RecordOrder.WRITE_TIME).leq(lit(Timestamp.from(options.asOf().get()))));
    }
    if (bounds[0] == null) {
      h = h.where(lit(false));
    } else {
      long maxT = AsOfOptions.micros(Duration.between(Instant.EPOCH, bounds[1]));
      long minT = AsOfOptions.micros(Duration.between(Instant.EPOCH, bounds[0]));
      h = h.where(eligible.leq(lit(maxT)));
      if (s.ttl().isPresent()) {
        h = h.where(event.geq(lit(minT - AsOfOptions.micros(s.ttl().get()))));
      }
    }
    List<Column> cols = new ArrayList<>();
    // nullable like the spine's key: cogroup wants both grouping columns of one type
    cols.add(functions.when(col(quote(s.recordId())).isNotNull(), col(quote(s.recordId())).cast(keyType))
        .as(MergeLayout.KEY_COLUMN));
    cols.add(eligible.as(MergeLayout.ELIGIBLE_COLUMN));
    cols.add(lit(g).as(MergeLayout.PREFIX + "g"));
    cols.add(write.as(MergeLayout.PREFIX + "w"));
    cols.add(col(RecordOrder.IS_DELETED).as(MergeLayout.PREFIX + "d"));
    if (options.shiftsEventTime()) {
      // else the eligible time is the event time: one column less to shuffle and sort
      cols.add(event.as(MergeLayout.EVENT_COLUMN));
    }
    for (int slot = 0; slot < slots.types.size(); slot++) {
      String c = slots.sourceColumn(g, slot);
      cols.add((c == null ? lit(null).cast(slots.types.get(slot)) : col(quote(c))).as(MergeLayout.valueColumn(slot)));
    }
    return h.where(col(quote(s.recordId())).isNotNull()).select(cols.toArray(Column[]::new));
  }

  /** The type the merge compares the source's keys as: strings stay strings, integers become longs. */
  static DataType keyType(AsOfSource s) {
    DataType t = s.history().schema().apply(s.recordId()).dataType();
    return t.equals(DataTypes.StringType) ? t : DataTypes.LongType;
  }

  /** The least and greatest spine time (one pass over the spine); both null when no spine row has a time. */
  static Instant[] spineTimeBounds(Dataset<Row> spine, String timeColumn) {
    Row r = spine.agg(min(col(timeColumn)), max(col(timeColumn))).first();
    return new Instant[] {r.isNullAt(0) ? null : toInstant(r.get(0)), r.isNullAt(1) ? null : toInstant(r.get(1))};
  }

  private static Instant toInstant(Object v) {
    return v instanceof Instant i ? i : ((Timestamp) v).toInstant();
  }
}
