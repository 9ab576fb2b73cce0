package io.tidemark.asof;

import java.util.Iterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;

/** {@link AsOfMerge} over external {@link Row}s (the cogroup strategy). */
final class ExternalRowMerge extends AsOfMerge<Row> {
  ExternalRowMerge(MergeLayout layout, Iterator<Row> spine, Iterator<Row> history) {
    super(layout, spine, history);
  }

  @Override
  Object value(Row row, int i, DataType type) {
    return row.get(i);
  }

  @Override
  long longAt(Row row, int i) {
    return row.getLong(i);
  }

  @Override
  int intAt(Row row, int i) {
    return row.getInt(i);
  }

  @Override
  boolean booleanAt(Row row, int i) {
    return row.getBoolean(i);
  }

  @Override
  boolean isNull(Row row, int i) {
    return row.isNullAt(i);
  }

  @Override
  Row keep(Row row, Row storage) {
    return row;
  }

  @Override
  Row row(Object[] values) {
    return RowFactory.create(values);
  }
}
