package io.tidemark.online.materialize;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What the writers did, summed over tasks. {@code records} always equals written + skippedStale + deleted +
 * oversized.
 *
 * @param oversizedIds the first ids (at most {@link #MAX_IDS}) of records whose item exceeds 400 KB
 */
record WriteStats(long records, long written, long skippedStale, long deleted, long oversized, long retries,
    long requests, List<String> oversizedIds) implements Serializable {
  static final int MAX_IDS = 20;
  static final WriteStats ZERO = new WriteStats(0, 0, 0, 0, 0, 0, 0, List.of());

  WriteStats {
    oversizedIds = List.copyOf(oversizedIds);
  }

  WriteStats plus(WriteStats o) {
    List<String> ids = new ArrayList<>(oversizedIds);
    o.oversizedIds.stream().limit(Math.max(0, MAX_IDS - ids.size())).forEach(ids::add);
    return new WriteStats(records + o.records, written + o.written, skippedStale + o.skippedStale,
        deleted + o.deleted, oversized + o.oversized, retries + o.retries, requests + o.requests, ids);
  }
}
