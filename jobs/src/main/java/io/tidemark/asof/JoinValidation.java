package io.tidemark.asof;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The checks of an as-of join's inputs, before anything is planned: each failure names what to fix. */
final class JoinValidation {
  private JoinValidation() {}

  /** Throws IllegalArgumentException ("as-of join: ...") at the first problem of the spine or a source. */
  static void validate(Dataset<Row> spine, String timeColumn, List<AsOfSource> sources) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("as-of join: add at least one source");
    }
    StructType ss = spine.schema();
    check(Arrays.asList(ss.fieldNames()).contains(timeColumn), "the spine has no time column '" + timeColumn
        + "'; its columns are " + Arrays.toString(ss.fieldNames()));
    DataType tt = ss.apply(timeColumn).dataType();
    check(tt.equals(DataTypes.TimestampType), "spine time column '" + timeColumn + "' is " + tt.simpleString()
        + "; cast it to timestamp (a UTC instant) first");
    for (String c : ss.fieldNames()) {
      check(!c.startsWith(MergeLayout.PREFIX), "spine column '" + c + "' uses the reserved prefix "
          + MergeLayout.PREFIX + "; rename it");
    }
    List<String> names = new ArrayList<>(Arrays.asList(ss.fieldNames()));
    for (AsOfSource s : sources) {
      StructType hs = s.history().schema();
      check(Arrays.asList(ss.fieldNames()).contains(s.spineKey()),
          s.name() + ": the spine has no key column '" + s.spineKey() + "'");
      List<String> required = new ArrayList<>(List.of(s.recordId(), s.eventTime(), RecordOrder.WRITE_TIME,
          RecordOrder.IS_DELETED));
      required.addAll(s.orderValues());
      required.addAll(s.outputs());
      for (String c : required) {
        check(Arrays.asList(hs.fieldNames()).contains(c), s.name() + ": the history has no column '" + c
            + "'; its columns are " + Arrays.toString(hs.fieldNames()));
      }
      DataType idType = hs.apply(s.recordId()).dataType();
      check(idType.equals(DataTypes.StringType) || idType.equals(DataTypes.LongType)
          || idType.equals(DataTypes.IntegerType), s.name() + ": record id '" + s.recordId() + "' is "
          + idType.simpleString() + "; it must be a string or an integer");
      for (String n : s.outputNames()) {
        check(!names.contains(n), s.name() + ": output column '" + n + "' is already a spine column or an "
            + "output of another source");
        names.add(n);
      }
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("as-of join: " + message);
    }
  }
}
