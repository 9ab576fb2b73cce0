package io.tidemark.ingest;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one ingest (or delete, or history import) batch did. Nothing is lost: rows read = rows accepted + rows
 * quarantined + rows outside the requested time range + history rows the table holds already. For a plain group the accepted rows are the rows written; for a window group they are
 * the events aggregated, and rows written are the window rows emitted.
 *
 * @param kind "ingest", "delete" or "import" (history that carries its own write times)
 * @param rowsAlreadyStored history rows (import) whose record id, event time, write_time and api_invocation_time the
 *     table holds already: not written again
 * @param alreadyIngested true when this exact input had been committed before and nothing was written again
 * @param quarantineReasons how many rows broke each kind of rule
 * @param warnings how many kept rows broke each {@code warn} rule
 * @param tableVersion the offline Delta table's version after the batch (empty for Parquet)
 * @param filesWritten data files the batch's Delta commit added (empty for Parquet, or when nothing was written)
 */
public record IngestResult(
    String group,
    String kind,
    String table,
    String batchId,
    long rowsRead,
    long rowsAccepted,
    long rowsQuarantined,
    long rowsOutOfRange,
    long rowsAlreadyStored,
    long rowsWritten,
    Map<String, Long> quarantineReasons,
    Map<String, Long> warnings,
    Optional<Long> tableVersion,
    Optional<Long> filesWritten,
    boolean alreadyIngested) {

  public IngestResult {
    quarantineReasons = Map.copyOf(quarantineReasons);
    warnings = Map.copyOf(warnings);
    if (rowsRead != rowsAccepted + rowsQuarantined + rowsOutOfRange + rowsAlreadyStored) {
      throw new IllegalStateException("count mismatch in " + kind + " of " + group + ": read " + rowsRead
          + " != accepted " + rowsAccepted + " + quarantined " + rowsQuarantined + " + out of range " + rowsOutOfRange
          + " + already stored " + rowsAlreadyStored);
    }
  }

  /** One line for logs: the counts, where they went, and why rows were quarantined. */
  public String summary() {
    String where = table + tableVersion.map(v -> " v" + v).orElse("");
    if (alreadyIngested) {
      return kind + " " + group + ": this input was already committed to " + where + " as batch "
          + batchId.substring(0, 12) + "; nothing written (read " + rowsRead + ", written " + rowsWritten
          + ", quarantined " + rowsQuarantined + " then; use --force to ingest it again)";
    }
    StringBuilder s = new StringBuilder(kind + " " + group + ": read " + rowsRead);
    if (rowsAccepted != rowsWritten) {
      s.append(", aggregated ").append(rowsAccepted).append(" events into ").append(rowsWritten).append(" rows");
    } else {
      s.append(", written ").append(rowsWritten);
    }
    filesWritten.ifPresent(n -> s.append(" (").append(n).append(n == 1 ? " file)" : " files)"));
    s.append(", quarantined ").append(rowsQuarantined).append(counts(quarantineReasons));
    if (rowsOutOfRange > 0) {
      s.append(", outside --start/--end ").append(rowsOutOfRange);
    }
    if (rowsAlreadyStored > 0) {
      s.append(", already in the table ").append(rowsAlreadyStored);
    }
    if (!warnings.isEmpty()) {
      s.append(", warnings").append(counts(warnings));
    }
    return s.append(" -> ").append(where).append(" [batch ").append(batchId, 0, 12).append("]").toString();
  }

  private static String counts(Map<String, Long> m) {
    return m.isEmpty() ? "" : " (" + m.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")) + ")";
  }
}
