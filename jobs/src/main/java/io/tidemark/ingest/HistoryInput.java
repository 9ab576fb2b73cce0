package io.tidemark.ingest;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * History from another feature store, ready to import: rows that carry their own {@code write_time},
 * {@code api_invocation_time} (timestamps) and {@code is_deleted} (boolean) next to the group's features.
 *
 * @param describe what the rows are, for logs, the quarantine and the batch ledger
 * @param rows the features (Tidemark names; values as the other store typed them, checked as an ingest checks
 *     them) and the three metadata columns
 * @param files the files whose content the rows are (a re-import of the same content is found in the batch ledger)
 */
public record HistoryInput(String describe, Dataset<Row> rows, List<String> files) {
  public HistoryInput {
    files = List.copyOf(files);
  }

  String[] fileArray() {
    return files.toArray(String[]::new);
  }
}
