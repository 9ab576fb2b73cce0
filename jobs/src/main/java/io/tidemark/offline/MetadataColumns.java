package io.tidemark.offline;

import io.tidemark.definitions.ReservedNames;

/**
 * The columns Tidemark adds to every offline row, named as in SageMaker Feature Store's offline store (the names are
 * {@link ReservedNames}' offline columns).
 */
public final class MetadataColumns {
  /** When the batch that wrote the row started (one instant per batch); later write wins ties. */
  public static final String WRITE_TIME = ReservedNames.WRITE_TIME;
  /** When the ingest was requested (the CLI invocation). */
  public static final String API_INVOCATION_TIME = ReservedNames.API_INVOCATION_TIME;
  /** True for a tombstone written by {@code delete}. */
  public static final String IS_DELETED = ReservedNames.IS_DELETED;
  /** UTC date of the event time; the partition column. */
  public static final String EVENT_DATE = ReservedNames.EVENT_DATE;

  private MetadataColumns() {}
}
