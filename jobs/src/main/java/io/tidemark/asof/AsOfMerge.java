package io.tidemark.asof;

import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * The forward-only pass of the as-of join over one partition (or one key): spine rows sorted by (key, time),
 * history rows sorted by (key, first spine time they may serve). For each spine row it takes in the history
 * rows that became eligible and keeps, per source, only the best of them so far; so memory per key is one row
 * per source, however many versions the key has.
 *
 * <p>Keeping "the best eligible row so far" is exact because eligibility only grows with t (event time plus
 * delay, and write time when known-at), and TTL only needs a check of that best row: it has the greatest
 * event time of all eligible rows, so if it is older than {@code t - ttl}, every eligible row is.
 */
final class AsOfMerge implements Iterator<Row> {
  /** Column positions and per-source settings; shipped to the executors. */
  record Layout(
      int spineKeyIndex,
      int spineTimeIndex,
      int[] spineCopy,
      int[][] orderIndex,
      int[][] outputIndex,
      long[] ttlMicros,
      Stats stats) implements Serializable {
    static final int KEY = 0;
    static final int ELIGIBLE = 1;
    static final int SOURCE = 2;
    static final int EVENT = 3;
    static final int WRITE = 4;
    static final int DELETED = 5;
    static final int FIRST_VALUE = 6;

    int width() {
      int w = spineCopy.length;
      for (int[] out : outputIndex) {
        w += out.length;
      }
      return w;
    }
  }

  /** What happened to each (spine row, source) pair, counted on the executors. */
  record Stats(LongAccumulator[] matched, LongAccumulator[] deleted, LongAccumulator[] none)
      implements Serializable {}

  private final Layout layout;
  private final Iterator<Row> spine;
  private final Iterator<Row> history;
  private final Row[] best;
  private final long[] matched;
  private final long[] deleted;
  private final long[] none;
  private Row pending;
  private Object currentKey;
  private boolean flushed;

  AsOfMerge(Layout layout, Iterator<Row> spine, Iterator<Row> history) {
    this.layout = layout;
    this.spine = spine;
    this.history = history;
    int sources = layout.outputIndex().length;
    this.best = new Row[sources];
    this.matched = new long[sources];
    this.deleted = new long[sources];
    this.none = new long[sources];
    this.pending = history.hasNext() ? history.next() : null;
  }

  @Override
  public boolean hasNext() {
    if (spine.hasNext()) {
      return true;
    }
    flushStats();
    return false;
  }

  @Override
  public Row next() {
    if (!spine.hasNext()) {
      throw new NoSuchElementException();
    }
    Row s = spine.next();
    Object key = s.get(layout.spineKeyIndex());
    if (!Objects.equals(key, currentKey)) {
      java.util.Arrays.fill(best, null);
      currentKey = key;
    }
    Long t = s.isNullAt(layout.spineTimeIndex()) ? null : s.getLong(layout.spineTimeIndex());
    if (key != null && t != null) {
      advance(key, t);
    }
    return emit(s, t);
  }

  /** Takes in every history row of {@code key} eligible at {@code t}; skips rows of keys before it. */
  private void advance(Object key, long t) {
    while (pending != null) {
      Object k = pending.get(Layout.KEY);
      int c = k == null ? -1 : RecordOrder.compareValues(k, key);
      if (c > 0 || (c == 0 && pending.getLong(Layout.ELIGIBLE) > t)) {
        return;
      }
      if (c == 0) {
        int g = pending.getInt(Layout.SOURCE);
        if (best[g] == null || compare(pending, best[g], g) > 0) {
          best[g] = pending;
        }
      }
      pending = history.hasNext() ? history.next() : null;
    }
  }

  /** {@link RecordOrder}: event time, write time, tombstone, then the values in definition order. */
  private int compare(Row a, Row b, int g) {
    int c = Long.compare(a.getLong(Layout.EVENT), b.getLong(Layout.EVENT));
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.getLong(Layout.WRITE), b.getLong(Layout.WRITE));
    if (c != 0) {
      return c;
    }
    c = Boolean.compare(a.getBoolean(Layout.DELETED), b.getBoolean(Layout.DELETED));
    if (c != 0) {
      return c;
    }
    for (int i : layout.orderIndex()[g]) {
      c = RecordOrder.compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private Row emit(Row s, Long t) {
    Object[] out = new Object[layout.width()];
    int p = 0;
    for (int i : layout.spineCopy()) {
      out[p++] = s.get(i);
    }
    for (int g = 0; g < best.length; g++) {
      int[] outputs = layout.outputIndex()[g];
      Row w = best[g];
      if (w == null || (layout.ttlMicros()[g] >= 0 && w.getLong(Layout.EVENT) < t - layout.ttlMicros()[g])) {
        none[g]++;
      } else if (w.getBoolean(Layout.DELETED)) {
        deleted[g]++;
      } else {
        matched[g]++;
        for (int i = 0; i < outputs.length; i++) {
          out[p + i] = w.get(outputs[i]);
        }
      }
      p += outputs.length;
    }
    return RowFactory.create(out);
  }

  private void flushStats() {
    if (flushed || layout.stats() == null) {
      return;
    }
    flushed = true;
    Stats st = layout.stats();
    for (int g = 0; g < best.length; g++) {
      st.matched()[g].add(matched[g]);
      st.deleted()[g].add(deleted[g]);
      st.none()[g].add(none[g]);
    }
  }
}
