package io.tidemark.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tidemark.util.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Types for the text columns of a CSV spine, so a training set carries numbers, booleans and times as such: a
 * column whose every non-empty value is a whole number (up to 18 digits) becomes bigint, a decimal or exponent
 * number double, true/false (any case) boolean, an ISO-8601 date-time (with a zone, or UTC) timestamp; anything
 * else, and a column with no value at all, stays text. Join keys stay as written: an id like {@code 007} must not
 * become 7. One pass over the spine decides every column.
 */
final class SpineTypes {
  private static final String WHOLE = "^[+-]?[0-9]{1,18}$";
  private static final String NUMBER = "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$";
  private static final String TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*$";

  private SpineTypes() {}

  static Dataset<Row> infer(Dataset<Row> spine, Set<String> keepAsText) {
    List<String> candidates = new ArrayList<>();
    for (StructField f : spine.schema().fields()) {
      if (f.dataType().equals(DataTypes.StringType) && !keepAsText.contains(f.name())) {
        candidates.add(f.name());
      }
    }
    if (candidates.isEmpty()) {
      return spine;
    }
    List<Column> aggs = new ArrayList<>();
    for (String name : candidates) {
      Column v = trim(col(Sql.quote(name)));
      Column present = v.isNotNull().and(v.notEqual(""));
      aggs.add(count(when(present, 1)));
      aggs.add(count(when(present.and(v.rlike(WHOLE)), 1)));
      aggs.add(count(when(present.and(v.rlike(NUMBER)), 1)));
      aggs.add(count(when(present.and(lower(v).isin("true", "false")), 1)));
      aggs.add(count(when(present.and(v.rlike(TIME)).and(v.cast(DataTypes.TimestampType).isNotNull()), 1)));
    }
    Row counts = spine.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    List<Column> typed = new ArrayList<>();
    for (StructField f : spine.schema().fields()) {
      int i = candidates.indexOf(f.name());
      Column c = col(Sql.quote(f.name()));
      if (i < 0) {
        typed.add(c);
        continue;
      }
      long present = counts.getLong(5 * i);
      DataType type = present == 0 ? DataTypes.StringType
          : counts.getLong(5 * i + 1) == present ? DataTypes.LongType
          : counts.getLong(5 * i + 2) == present ? DataTypes.DoubleType
          : counts.getLong(5 * i + 3) == present ? DataTypes.BooleanType
          : counts.getLong(5 * i + 4) == present ? DataTypes.TimestampType
          : DataTypes.StringType;
      Column value = trim(c);
      typed.add(type.equals(DataTypes.StringType) ? c
          : when(value.equalTo(""), null).otherwise(type.equals(DataTypes.BooleanType) ? lower(value) : value)
              .cast(type).as(f.name()));
    }
    return spine.select(typed.toArray(Column[]::new));
  }
}
