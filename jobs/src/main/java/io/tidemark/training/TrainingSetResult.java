package io.tidemark.training;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a training-set build wrote. The output always has exactly one row per spine row.
 *
 * @param groups per feature group: the table and version read, and how the spine rows fared
 * @param outputFiles the data files written (absolute URIs)
 * @param warnings things the caller should know that did not stop the build (e.g. changed definitions)
 */
public record TrainingSetResult(
    String output,
    OutputFormat format,
    String manifest,
    long spineRows,
    long outputRows,
    List<String> featureColumns,
    List<GroupStats> groups,
    List<String> outputFiles,
    Optional<String> registeredTable,
    List<String> warnings) {

  /**
   * How one group's features were filled.
   *
   * @param version the Delta version read (empty for Parquet offline tables)
   * @param matched spine rows that got the values of a live version
   * @param deleted spine rows whose winning version was a tombstone (features null)
   * @param noCandidate spine rows with no version in the time window (features null)
   */
  public record GroupStats(String group, String table, Optional<Long> version, long matched, long deleted,
      long noCandidate) {}

  public TrainingSetResult {
    featureColumns = List.copyOf(featureColumns);
    groups = List.copyOf(groups);
    outputFiles = List.copyOf(outputFiles);
    warnings = List.copyOf(warnings);
    if (spineRows != outputRows) {
      throw new IllegalStateException("training set " + output + " has " + outputRows + " rows but its spine has "
          + spineRows + "; every spine row must come out exactly once");
    }
  }

  /** One line for logs. */
  public String summary() {
    String per = groups.stream().map(g -> g.group() + g.version().map(v -> "@v" + v).orElse("") + " matched "
        + g.matched() + ", deleted " + g.deleted() + ", none " + g.noCandidate()).collect(Collectors.joining("; "));
    return "training-set: " + spineRows + " spine rows -> " + outputRows + " rows, " + featureColumns.size()
        + " features (" + per + ") -> " + output + " [" + format.cliName() + ", " + outputFiles.size() + " files]"
        + registeredTable.map(t -> " table " + t).orElse("") + "; manifest " + manifest;
  }
}
