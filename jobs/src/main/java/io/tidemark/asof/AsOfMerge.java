package io.tidemark.asof;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The forward-only pass of the as-of join over one partition (or one key): spine rows sorted by (key, time),
 * history rows sorted by (key, first spine time they may serve). For each spine row it takes in the history
 * rows that became eligible and keeps, per source, only the best of them so far; so memory per key is one row
 * per source, however many versions the key has.
 *
 * <p>Keeping "the best eligible row so far" is exact because eligibility only grows with t (event time plus
 * delay, and write time when known-at), and TTL only needs a check of that best row: it has the greatest
 * event time of all eligible rows, so if it is older than {@code t - ttl}, every eligible row is.
 *
 * <p>Two row forms share the pass: Spark's internal rows ({@link #internal}, {@link InternalRowMerge}: the
 * co-partitioned zip, no conversion to and from Java objects) and external {@link Row}s ({@link #external},
 * {@link ExternalRowMerge}: the cogroup strategy). Column positions and per-source settings: {@link MergeLayout}.
 *
 * @param <R> the row form
 */
abstract sealed class AsOfMerge<R> implements Iterator<R> permits InternalRowMerge, ExternalRowMerge {
  final MergeLayout layout;
  private final Iterator<R> spine;
  private final Iterator<R> history;
  private final Object[] best;
  /** Per source, storage a kept row may be copied into again (so keeping a row need not allocate). */
  private final Object[] kept;
  private final long[] matched;
  private final long[] deleted;
  private final long[] none;
  private R pending;
  private Object currentKey;
  private boolean flushed;

  AsOfMerge(MergeLayout layout, Iterator<R> spine, Iterator<R> history) {
    this.layout = layout;
    this.spine = spine;
    this.history = history;
    int sources = layout.outputIndex().length;
    this.best = new Object[sources];
    this.kept = new Object[sources];
    this.matched = new long[sources];
    this.deleted = new long[sources];
    this.none = new long[sources];
    this.pending = history.hasNext() ? history.next() : null;
  }

  /** The merge over Spark's internal rows (as a plan's RDD gives them, possibly reused between calls). */
  static AsOfMerge<InternalRow> internal(MergeLayout layout, Iterator<InternalRow> spine,
      Iterator<InternalRow> history) {
    return new InternalRowMerge(layout, spine, history);
  }

  /** The merge over external rows. */
  static AsOfMerge<Row> external(MergeLayout layout, Iterator<Row> spine, Iterator<Row> history) {
    return new ExternalRowMerge(layout, spine, history);
  }

  /** The value at {@code i} (null when null); of a key, a Long or a string form that orders as Spark does. */
  abstract Object value(R row, int i, DataType type);

  abstract long longAt(R row, int i);

  abstract int intAt(R row, int i);

  abstract boolean booleanAt(R row, int i);

  abstract boolean isNull(R row, int i);

  /**
   * A row to keep past the next call of the history iterator; {@code storage} is what this returned last time for
   * the same source (null at first), which it may copy into.
   */
  abstract R keep(R row, R storage);

  /** How the key at {@code i} of {@code row} compares with {@code key} (a spine key of the same type). */
  int compareKey(R row, int i, Object key) {
    Object k = value(row, i, layout.historyTypes()[i]);
    return k == null ? -1 : compare(k, key);
  }

  abstract R row(Object[] values);

  @Override
  public boolean hasNext() {
    if (spine.hasNext()) {
      return true;
    }
    flushStats();
    return false;
  }

  @Override
  public R next() {
    if (!spine.hasNext()) {
      throw new NoSuchElementException();
    }
    R s = spine.next();
    int k = layout.spineKeyIndex();
    Object key = value(s, k, layout.spineTypes()[k]);
    if (!Objects.equals(key, currentKey)) {
      Arrays.fill(best, null);
      // an internal string points into the row's buffer, which the next row may reuse
      currentKey = key instanceof UTF8String u ? u.clone() : key;
    }
    boolean timed = !isNull(s, layout.spineTimeIndex());
    long t = timed ? longAt(s, layout.spineTimeIndex()) : 0;
    if (key != null && timed) {
      advance(key, t);
    }
    return emit(s, timed, t);
  }

  /** Takes in every history row of {@code key} eligible at {@code t}; skips rows of keys before it. */
  @SuppressWarnings("unchecked")
  private void advance(Object key, long t) {
    while (pending != null) {
      int c = compareKey(pending, MergeLayout.KEY, key);
      if (c > 0 || (c == 0 && longAt(pending, MergeLayout.ELIGIBLE) > t)) {
        return;
      }
      if (c == 0) {
        int g = intAt(pending, MergeLayout.SOURCE);
        if (best[g] == null || compareRows(pending, (R) best[g], g) > 0) {
          kept[g] = keep(pending, (R) kept[g]);
          best[g] = kept[g];
        }
      }
      pending = history.hasNext() ? history.next() : null;
    }
  }

  /** {@link RecordOrder}: event time, write time, tombstone, then the values in definition order. */
  private int compareRows(R a, R b, int g) {
    int c = Long.compare(longAt(a, layout.eventIndex()), longAt(b, layout.eventIndex()));
    if (c != 0) {
      return c;
    }
    c = Long.compare(longAt(a, MergeLayout.WRITE), longAt(b, MergeLayout.WRITE));
    if (c != 0) {
      return c;
    }
    c = Boolean.compare(booleanAt(a, MergeLayout.DELETED), booleanAt(b, MergeLayout.DELETED));
    if (c != 0) {
      return c;
    }
    for (int i : layout.orderIndex()[g]) {
      DataType type = layout.historyTypes()[i];
      c = compare(value(a, i, type), value(b, i, type), type);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Spark's order of two values of one type; an internal string (UTF8String) compares its UTF-8 bytes, an internal
   * array (a collection feature) element by element, as {@link RecordOrder#compareValues} does external ones.
   */
  private static int compare(Object a, Object b, DataType type) {
    if (a instanceof ArrayData x && b instanceof ArrayData y && type instanceof ArrayType t) {
      int n = Math.min(x.numElements(), y.numElements());
      for (int k = 0; k < n; k++) {
        int c = compare(x.isNullAt(k) ? null : x.get(k, t.elementType()), y.isNullAt(k) ? null
            : y.get(k, t.elementType()), t.elementType());
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.numElements(), y.numElements());
    }
    return compare(a, b);
  }

  private static int compare(Object a, Object b) {
    if (a instanceof UTF8String x && b instanceof UTF8String y) {
      return x.compareTo(y);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    return RecordOrder.compareValues(a, b);
  }

  @SuppressWarnings("unchecked")
  private R emit(R s, boolean timed, long t) {
    Object[] out = new Object[layout.width()];
    int p = 0;
    for (int i : layout.spineCopy()) {
      out[p++] = value(s, i, layout.spineTypes()[i]);
    }
    for (int g = 0; g < best.length; g++) {
      int[] outputs = layout.outputIndex()[g];
      R w = (R) best[g];
      if (w == null || !timed
          || (layout.ttlMicros()[g] >= 0 && longAt(w, layout.eventIndex()) < t - layout.ttlMicros()[g])) {
        none[g]++;
      } else if (booleanAt(w, MergeLayout.DELETED)) {
        deleted[g]++;
      } else {
        matched[g]++;
        for (int i = 0; i < outputs.length; i++) {
          out[p + i] = value(w, outputs[i], layout.historyTypes()[outputs[i]]);
        }
      }
      p += outputs.length;
    }
    return row(out);
  }

  private void flushStats() {
    if (flushed || layout.stats() == null) {
      return;
    }
    flushed = true;
    MergeLayout.Stats st = layout.stats();
    for (int g = 0; g < best.length; g++) {
      st.matched()[g].add(matched[g]);
      st.deleted()[g].add(deleted[g]);
      st.none()[g].add(none[g]);
    }
  }
}
