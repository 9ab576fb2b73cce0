package io.tidemark.offline;

/** The columns Tidemark adds to every offline row, named as in SageMaker Feature Store's offline store. */
public final class MetadataColumns {
  /** When the batch that wrote the row started (one instant per batch); later write wins ties. */
  public static final String WRITE_TIME = "write_time";
  /** When the ingest was requested (the CLI invocation). */
  public static final String API_INVOCATION_TIME = "api_invocation_time";
  /** True for a tombstone written by {@code delete}. */
  public static final String IS_DELETED = "is_deleted";
  /** UTC date of the event time; the partition column. */
  public static final String EVENT_DATE = "event_date";

  private MetadataColumns() {}
}
