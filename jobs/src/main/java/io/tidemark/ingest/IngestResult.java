package io.tidemark.ingest;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one ingest (or delete) batch did. Rows read always equal rows written plus rows quarantined.
 *
 * @param kind "ingest" or "delete"
 * @param alreadyIngested true when this exact input had been committed before and nothing was written again
 * @param quarantineReasons how many rows broke each kind of rule
 * @param tableVersion the offline Delta table's version after the batch (empty for Parquet)
 */
public record IngestResult(
    String group,
    String kind,
    String table,
    String batchId,
    long rowsRead,
    long rowsWritten,
    long rowsQuarantined,
    Map<String, Long> quarantineReasons,
    Optional<Long> tableVersion,
    boolean alreadyIngested) {

  public IngestResult {
    quarantineReasons = Map.copyOf(quarantineReasons);
    if (rowsRead != rowsWritten + rowsQuarantined) {
      throw new IllegalStateException("count mismatch in " + kind + " of " + group + ": read " + rowsRead
          + " != written " + rowsWritten + " + quarantined " + rowsQuarantined);
    }
  }

  /** One line for logs: the counts, where they went, and why rows were quarantined. */
  public String summary() {
    String reasons = quarantineReasons.isEmpty() ? "" : " (" + quarantineReasons.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")) + ")";
    String where = table + tableVersion.map(v -> " v" + v).orElse("");
    if (alreadyIngested) {
      return kind + " " + group + ": this input was already committed to " + where + " as batch "
          + batchId.substring(0, 12) + "; nothing written (read " + rowsRead + ", written " + rowsWritten
          + ", quarantined " + rowsQuarantined + " then; use --force to ingest it again)";
    }
    return kind + " " + group + ": read " + rowsRead + ", written " + rowsWritten + ", quarantined "
        + rowsQuarantined + reasons + " -> " + where + " [batch " + batchId.substring(0, 12) + "]";
  }
}
