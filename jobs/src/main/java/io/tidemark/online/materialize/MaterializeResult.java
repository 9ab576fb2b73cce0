package io.tidemark.online.materialize;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one materialization did. {@code records} = written + skippedStale + deleted + oversized, always.
 *
 * @param mode "full", "incremental" or "tombstones" (the deletes of one offline version, after {@code delete})
 * @param table the DynamoDB table written (the live table afterwards, except in a failed switch)
 * @param fromVersion the watermark before (exclusive), for incremental runs
 * @param offlineVersion the offline version the table reflects afterwards (the new watermark); for "tombstones",
 *     the offline version whose tombstones were applied (the watermark does not move)
 * @param records records considered: the snapshot (full) or the records changed since the watermark
 * @param written items now holding the record's latest version
 * @param skippedStale records whose changes lost to an older-written winner (late rows): nothing sent
 * @param deleted records whose latest version is a tombstone (no item)
 * @param oversized records not written because their item exceeds 400 KB (first ids in oversizedIds)
 * @param retries requests sent again after throttling, unprocessed items or transient errors
 * @param droppedTables replaced table versions deleted because their grace period ended
 * @param duration the whole run
 * @param writing the part of it spent in the Spark job that writes to DynamoDB (the rest: reading offline versions,
 *     planning, table and catalog operations)
 */
public record MaterializeResult(String group, String mode, String table, Optional<Long> fromVersion,
    Optional<Long> offlineVersion, long records, long written, long skippedStale, long deleted, long oversized,
    List<String> oversizedIds, long retries, long requests, List<String> droppedTables, Duration duration, Duration writing) {

  public MaterializeResult {
    oversizedIds = List.copyOf(oversizedIds);
    droppedTables = List.copyOf(droppedTables);
    if (records != written + skippedStale + deleted + oversized) {
      throw new IllegalStateException("count mismatch in materialize " + group + ": records " + records
          + " != written " + written + " + skipped " + skippedStale + " + deleted " + deleted + " + oversized "
          + oversized);
    }
  }

  static MaterializeResult of(String group, String mode, String table, Optional<Long> from, Optional<Long> to,
      WriteStats s, List<String> dropped, Duration duration, Duration writing) {
    return new MaterializeResult(group, mode, table, from, to, s.records(), s.written(), s.skippedStale(),
        s.deleted(), s.oversized(), s.oversizedIds(), s.retries(), s.requests(), dropped, duration, writing);
  }

  /** One line for logs. */
  public String summary() {
    String versions = switch (mode) {
      case "incremental" -> fromVersion.isPresent() && fromVersion.equals(offlineVersion)
          ? " (offline v" + offlineVersion.get() + ": no new versions)"
          : " (offline v" + fromVersion.map(v -> v + 1 + "").orElse("?") + ".."
              + offlineVersion.map(String::valueOf).orElse("?") + ")";
      case "tombstones" -> offlineVersion.map(v -> " (tombstones of offline v" + v + ")").orElse("");
      default -> offlineVersion.map(v -> " (offline v" + v + ")").orElse("");
    };
    double secs = Math.max(0.001, duration.toMillis() / 1000.0);
    return "materialize " + group + " " + mode + versions + " -> " + table + ": records " + records + ", written "
        + written + ", skipped stale " + skippedStale + ", deleted " + deleted + ", oversized " + oversized
        + (oversized > 0 ? " " + oversizedIds : "") + ", retries " + retries
        + String.format(java.util.Locale.ROOT, " in %.1fs (%.0f items/s; writing %.1fs)", secs, written / secs,
            writing.toMillis() / 1000.0)
        + (droppedTables.isEmpty() ? "" : "; dropped replaced tables " + droppedTables);
  }
}
