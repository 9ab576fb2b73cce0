package io.tidemark.asof;

import java.util.Iterator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;

/** {@link AsOfMerge} over Spark's internal rows, as a plan's RDD gives them (possibly reusing one row object). */
final class InternalRowMerge extends AsOfMerge<InternalRow> {
  InternalRowMerge(MergeLayout layout, Iterator<InternalRow> spine, Iterator<InternalRow> history) {
    super(layout, spine, history);
  }

  @Override
  Object value(InternalRow row, int i, DataType type) {
    // a string stays in the row's buffer: the caller projects each output row before reading the next input
    return row.isNullAt(i) ? null : row.get(i, type);
  }

  @Override
  long longAt(InternalRow row, int i) {
    return row.getLong(i);
  }

  @Override
  int intAt(InternalRow row, int i) {
    return row.getInt(i);
  }

  @Override
  boolean booleanAt(InternalRow row, int i) {
    return row.getBoolean(i);
  }

  @Override
  boolean isNull(InternalRow row, int i) {
    return row.isNullAt(i);
  }

  @Override
  InternalRow keep(InternalRow row, InternalRow storage) {
    // a plan's iterator may reuse the row object for the next row; the kept copy's bytes are reused in turn
    if (row instanceof UnsafeRow u && storage instanceof UnsafeRow target) {
      target.copyFrom(u);
      return target;
    }
    return row.copy();
  }

  @Override
  int compareKey(InternalRow row, int i, Object key) {
    if (key instanceof Long k) {
      // no boxing of every history row's key
      return row.isNullAt(i) ? -1 : Long.compare(row.getLong(i), k);
    }
    return super.compareKey(row, i, key);
  }

  @Override
  InternalRow row(Object[] values) {
    return new GenericInternalRow(values);
  }
}
