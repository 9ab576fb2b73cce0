package io.tidemark.maintenance;

import java.util.List;

/**
 * What one {@code optimize} did to a group's offline table.
 *
 * @param zOrderBy the column the files were Z-ordered by (the record identifier)
 * @param versionBefore the table version optimize started from
 * @param versionAfter the version of its commit; equal to {@code versionBefore} when there was nothing to compact
 * @param compacted the event dates whose files were rewritten ({@code "*"} for a table not partitioned by date)
 * @param rightSized how many event dates were left alone: already one file, or files of about the target size
 * @param filesRemoved data files the commit removed from the table (deleted from storage only by {@code vacuum})
 * @param filesAdded data files it wrote in their place
 */
public record OptimizeResult(String group, String table, String zOrderBy, long versionBefore, long versionAfter,
    List<String> compacted, long rightSized, long filesRemoved, long filesAdded, long bytesRemoved,
    long bytesAdded) {

  public OptimizeResult {
    compacted = List.copyOf(compacted);
  }

  /** One line for logs. */
  public String summary() {
    if (compacted.isEmpty()) {
      return "optimize " + group + ": nothing to compact (" + rightSized + " event dates already right-sized) -> "
          + table + " v" + versionAfter;
    }
    return "optimize " + group + ": z-ordered " + compacted.size() + " event dates by " + zOrderBy + ": "
        + filesRemoved + " files (" + bytesRemoved + " bytes) -> " + filesAdded + " files (" + bytesAdded
        + " bytes); " + rightSized + " event dates already right-sized -> " + table + " v" + versionBefore + " -> v"
        + versionAfter;
  }
}
