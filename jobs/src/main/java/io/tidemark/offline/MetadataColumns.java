package io.tidemark.offline;

import io.tidemark.asof.RecordOrder;

/** The columns Tidemark adds to every offline row, named as in SageMaker Feature Store's offline store. */
public final class MetadataColumns {
  /**
   * When the batch that wrote the row started (one instant per batch); later write wins ties. The as-of core's
   * record order names it.
   */
  public static final String WRITE_TIME = RecordOrder.WRITE_TIME;
  /** When the ingest was requested (the CLI invocation). */
  public static final String API_INVOCATION_TIME = "api_invocation_time";
  /** True for a tombstone written by {@code delete}; named by the as-of core's record order. */
  public static final String IS_DELETED = RecordOrder.IS_DELETED;
  /** UTC date of the event time; the partition column. */
  public static final String EVENT_DATE = "event_date";

  private MetadataColumns() {}
}
