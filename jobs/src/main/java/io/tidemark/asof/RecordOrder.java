package io.tidemark.asof;

import io.tidemark.offline.MetadataColumns;
import java.util.ArrayList;
import java.util.List;

/**
 * The one order of a record's versions, used wherever "the value as of t" is decided (training sets, online
 * snapshots, windows): greatest event time; then the later write_time (a later ingest wins); then is_deleted
 * (a tombstone beats a record written in the same batch at the same time); then the values themselves, so the
 * winner never depends on partitioning or file order.
 */
public final class RecordOrder {
  private RecordOrder() {}

  /** Columns to compare, most significant first. */
  public static List<String> columns(String eventTime, List<String> valueColumns) {
    List<String> cols = new ArrayList<>();
    cols.add(eventTime);
    cols.add(MetadataColumns.WRITE_TIME);
    cols.add(MetadataColumns.IS_DELETED);
    cols.addAll(valueColumns);
    return cols;
  }
}
