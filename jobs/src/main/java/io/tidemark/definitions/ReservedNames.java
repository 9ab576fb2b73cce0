package io.tidemark.definitions;

import java.util.List;

/**
 * The column and attribute names Tidemark sets itself, so no feature may take them: the one list the definition
 * parser, the offline metadata columns and the online item schema all read.
 */
public final class ReservedNames {
  /** Offline: when the batch that wrote the row started; also an online item attribute. */
  public static final String WRITE_TIME = "write_time";
  /** Offline: when the ingest was requested. */
  public static final String API_INVOCATION_TIME = "api_invocation_time";
  /** Offline: true for a tombstone. */
  public static final String IS_DELETED = "is_deleted";
  /** Offline: UTC date of the event time, the partition column. */
  public static final String EVENT_DATE = "event_date";
  /** Online: the item's event time (a group's event-time feature may have this name). */
  public static final String EVENT_TIME = "event_time";
  /** Online: epoch seconds when the item expires (groups with an online TTL). */
  public static final String EXPIRES_AT = "expires_at";

  /** Every offline row's metadata columns: reserved in every group. */
  public static final List<String> OFFLINE_COLUMNS = List.of(WRITE_TIME, API_INVOCATION_TIME, IS_DELETED, EVENT_DATE);
  /** Attributes of every online item: reserved in online groups, but for the event time's own name. */
  public static final List<String> ONLINE_ATTRIBUTES = List.of(EVENT_TIME, WRITE_TIME, EXPIRES_AT);

  private ReservedNames() {}
}
