package io.tidemark.maintenance;

import io.tidemark.definitions.Durations;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code vacuum} did to a group's offline table.
 *
 * @param retention files no version newer than this is old still needs were deleted
 * @param filesDeleted data files deleted from storage (Delta's count of the run)
 * @param versionBefore the table version before; Delta records the run as two commits (VACUUM START and END),
 *     neither of which changes data
 * @param pinnedVersions the table versions recorded training-set manifests read (their files were kept)
 * @param forgotten manifests whose pins of this group were removed first ({@code --forget-manifest})
 * @param warnings pins that did not count (their manifest is gone or names another version) and the like
 */
public record VacuumResult(String group, String table, Duration retention, long filesDeleted, long versionBefore,
    long versionAfter, List<Long> pinnedVersions, List<String> forgotten, List<String> warnings) {

  public VacuumResult {
    pinnedVersions = List.copyOf(pinnedVersions);
    forgotten = List.copyOf(forgotten);
    warnings = List.copyOf(warnings);
  }

  /** One line for logs. */
  public String summary() {
    return "vacuum " + group + ": deleted " + filesDeleted + (filesDeleted == 1 ? " file" : " files")
        + " no version of the last " + Durations.format(retention) + " needs"
        + (pinnedVersions.isEmpty() ? "" : "; kept every file of pinned versions " + pinnedVersions.stream()
            .map(v -> "v" + v).toList())
        + (forgotten.isEmpty() ? "" : "; forgot the pins of manifests " + forgotten)
        + " -> " + table + " v" + versionBefore + " -> v" + versionAfter;
  }
}
