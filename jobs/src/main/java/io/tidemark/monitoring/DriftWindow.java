package io.tidemark.monitoring;

import io.tidemark.BadRequestException;
import java.time.Instant;

/**
 * The rows one side of a drift comparison reads: an event-time range of the group's offline table, one ingest
 * batch (from the batch ledger), or the group's columns of a training set (from its manifest).
 */
public sealed interface DriftWindow {
  /** Offline rows (not tombstones) with {@code start <= event time < end}. */
  record TimeRange(Instant start, Instant end) implements DriftWindow {
    public TimeRange {
      if (!start.isBefore(end)) {
        throw new BadRequestException("time range " + start + ".." + end + " is empty: the start must be before "
            + "the end (the end is exclusive)");
      }
    }

    @Override
    public String describe() {
      return start + ".." + end;
    }
  }

  /** The rows one batch wrote (its id, or a unique prefix of at least 8 characters, as printed by ingest). */
  record Batch(String batchId) implements DriftWindow {
    @Override
    public String describe() {
      return "batch " + batchId;
    }
  }

  /** The group's feature columns of the training set the manifest (or its output path) describes. */
  record Manifest(String path) implements DriftWindow {
    @Override
    public String describe() {
      return "training set " + path;
    }
  }

  String describe();

  /**
   * {@code START..END} (ISO-8601 instants, or dates meaning UTC midnight; the end exclusive), {@code batch:ID} or
   * {@code manifest:PATH}.
   */
  static DriftWindow parse(String text) {
    if (text.startsWith("batch:")) {
      String id = text.substring("batch:".length());
      if (id.length() < 8) {
        throw new BadRequestException("'" + text + "' names no batch: write batch:ID with the batch id (at least "
            + "its first 8 characters, as ingest prints it in [batch ...])");
      }
      return new Batch(id);
    }
    if (text.startsWith("manifest:")) {
      String path = text.substring("manifest:".length());
      if (path.isEmpty()) {
        throw new BadRequestException("'" + text + "' names no manifest: write manifest:PATH (a training set's "
            + "<output>.manifest.json, or its output)");
      }
      return new Manifest(path.endsWith(".manifest.json") ? path
          : io.tidemark.training.TrainingSetManifest.pathFor(path));
    }
    int dots = text.indexOf("..");
    if (dots < 0) {
      throw new BadRequestException("'" + text + "' is not a window: write START..END (e.g. 2026-01-01..2026-02-01, "
          + "UTC, the end exclusive), batch:ID or manifest:PATH");
    }
    return new TimeRange(instant(text.substring(0, dots), text), instant(text.substring(dots + 2), text));
  }

  private static Instant instant(String text, String window) {
    return io.tidemark.util.Instants.parse(text).orElseThrow(() -> new BadRequestException("'" + text
        + "' in window '" + window + "' is not an instant: " + io.tidemark.util.Instants.FORMS));
  }
}
