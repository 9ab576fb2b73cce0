package io.tidemark.asof;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.util.LongAccumulator;

/**
 * The rows {@link AsOfMerge} reads, as {@link AsOfJoin} lays them out: the reserved columns added to the spine and
 * to the history side, and the column positions, types and per-source settings shipped to the executors.
 */
record MergeLayout(
    int spineKeyIndex,
    int spineTimeIndex,
    int[] spineCopy,
    DataType[] spineTypes,
    DataType[] historyTypes,
    int eventIndex,
    int[][] orderIndex,
    int[][] outputIndex,
    long[] ttlMicros,
    Stats stats) implements Serializable {
  /** Reserved for the join's own columns: a spine column must not start with it. */
  static final String PREFIX = "__tm_";
  /** The join key, on both sides (cast to the pass's key type). */
  static final String KEY_COLUMN = PREFIX + "k";
  /** The spine time in microseconds. */
  static final String TIME_COLUMN = PREFIX + "t";
  /** A history row's first eligible spine time in microseconds. */
  static final String ELIGIBLE_COLUMN = PREFIX + "a";
  /** A history row's event time in microseconds, when a delay or known-at shifts its eligible time. */
  static final String EVENT_COLUMN = PREFIX + "e";

  /** Positions of the history side's leading columns. */
  static final int KEY = 0;
  /** The first spine time a row may serve; also its event time unless a delay or known-at shifts it. */
  static final int ELIGIBLE = 1;
  static final int SOURCE = 2;
  static final int WRITE = 3;
  static final int DELETED = 4;

  /** The history side's column carrying value slot {@code slot} ({@link ValueSlots}). */
  static String valueColumn(int slot) {
    return PREFIX + "v" + slot;
  }

  int width() {
    int w = spineCopy.length;
    for (int[] out : outputIndex) {
      w += out.length;
    }
    return w;
  }

  /** What happened to each (spine row, source) pair, counted on the executors. */
  record Stats(LongAccumulator[] matched, LongAccumulator[] deleted, LongAccumulator[] none)
      implements Serializable {}
}
