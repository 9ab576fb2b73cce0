package io.tidemark.asof;

import io.tidemark.definitions.ReservedNames;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one order of a record's versions, used wherever "the value as of t" is decided (training sets, online
 * snapshots, windows): greatest event time; then the later write_time (a later ingest wins); then is_deleted
 * (a tombstone beats a record written in the same batch at the same time); then the values themselves, so the
 * winner never depends on partitioning or file order.
 *
 * <p>{@link #columns} gives the order as columns for Spark's struct ordering ({@link AsOf#latestPerKey});
 * {@link #compareValues} is the same ordering of single values for code that compares rows itself
 * ({@link AsOfJoin}), so both always pick the same winner.
 */
public final class RecordOrder {
  /**
   * The history column with when a version was written (one instant per batch): the order's second key. Every
   * history has it; the offline table stores it under this name (one of {@code ReservedNames}).
   */
  public static final String WRITE_TIME = ReservedNames.WRITE_TIME;
  /** The history column that is true for a tombstone: the order's third key. */
  public static final String IS_DELETED = ReservedNames.IS_DELETED;

  private RecordOrder() {}

  /** Columns to compare, most significant first. */
  public static List<String> columns(String eventTime, List<String> valueColumns) {
    List<String> cols = new ArrayList<>();
    cols.add(eventTime);
    cols.add(WRITE_TIME);
    cols.add(IS_DELETED);
    cols.addAll(valueColumns);
    return cols;
  }

  /**
   * Spark's ascending order of two values of the same SQL type, as {@code max(struct(...))} and
   * {@code ORDER BY} use it: null first; strings by Unicode code point (the byte order of UTF-8, as Spark
   * compares them, not Java's UTF-16 order); doubles with 0.0 = -0.0 and NaN greatest; false before true.
   */
  public static int compareValues(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof Double x && b instanceof Double y) {
      return x.doubleValue() == y.doubleValue() ? 0 : Double.compare(x, y);
    }
    if (a instanceof Float x && b instanceof Float y) {
      return x.floatValue() == y.floatValue() ? 0 : Float.compare(x, y);
    }
    if (a instanceof Timestamp x && b instanceof Timestamp y) {
      return x.compareTo(y);
    }
    if (a instanceof Instant x && b instanceof Instant y) {
      return x.compareTo(y);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return java.util.Arrays.compareUnsigned(x, y);
    }
    if (elements(a) != null && elements(b) != null) {
      // a collection: element by element (null first), then the shorter first, as Spark orders arrays
      List<?> x = elements(a);
      List<?> y = elements(b);
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        int c = compareValues(x.get(i), y.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof Comparable<?> && a.getClass() == b.getClass()) {
      @SuppressWarnings("unchecked")
      Comparable<Object> c = (Comparable<Object>) a;
      return c.compareTo(b);
    }
    throw new IllegalArgumentException("cannot order values of " + a.getClass().getName() + " and "
        + b.getClass().getName() + "; feature values are String, Integral, Fractional, Boolean or Timestamp, "
        + "or collections of them");
  }

  /**
   * The elements of an external collection value (a Row's Scala Seq, a Java list, set or array, a double[]), else
   * null.
   */
  public static List<?> elements(Object v) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof java.util.Collection<?> c) {
      return new ArrayList<>(c);
    }
    if (v instanceof Object[] array) {
      return java.util.Arrays.asList(array);
    }
    if (v instanceof double[] d) {
      return java.util.Arrays.stream(d).boxed().toList();
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> out = new ArrayList<>(seq.length());
      for (int i = 0; i < seq.length(); i++) {
        out.add(seq.apply(i));
      }
      return out;
    }
    return null;
  }

  private static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int cx = x.codePointAt(i);
      int cy = y.codePointAt(j);
      if (cx != cy) {
        return Integer.compare(cx, cy);
      }
      i += Character.charCount(cx);
      j += Character.charCount(cy);
    }
    return Boolean.compare(i < x.length(), j < y.length());
  }
}
