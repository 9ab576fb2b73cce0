package io.tidemark.ingest;

import io.tidemark.definitions.EventTimeFormat;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.OfflineStore;
import java.time.Instant;
import java.util.List;

/**
 * Appends another store's history to a group's offline table, keeping each row's own write_time,
 * api_invocation_time and tombstone flag: {@code tidemark.importHistory("users").from(input).execute()}. Rows are
 * checked as an ingest checks them (a tombstone's id and event time only) and refused ones quarantined with their
 * reasons; rows the table holds already (same record id, event time, write_time and api_invocation_time) are not
 * written again, so importing the same store twice, or again after it grew, leaves one copy of each row.
 */
public final class ImportHistoryAction extends BatchAction<ImportHistoryAction> {
  /** SageMaker's event times: ISO-8601 text or Fractional epoch seconds, whatever the group's raw source writes. */
  static final List<EventTimeFormat> HISTORY_EVENT_TIME_FORMATS =
      List.of(EventTimeFormat.ISO8601, EventTimeFormat.EPOCH_SECONDS);

  private final OfflineStore store;
  private final FeatureGroup group;
  private final HistoryInput input;
  private Instant apiInvocationTime = Instant.now();

  private ImportHistoryAction(OfflineStore store, FeatureGroup group, HistoryInput input) {
    super(store);
    this.store = store;
    this.group = group;
    this.input = input;
  }

  /** The first stage: an import needs its history. */
  public static final class Stage {
    private final OfflineStore store;
    private final FeatureGroup group;

    public Stage(OfflineStore store, FeatureGroup group) {
      if (group.windows().isPresent()) {
        throw new IllegalArgumentException("group '" + group.name() + "' (" + group.file() + ") is a window group: "
            + "its rows are computed from events by ingest, so history cannot be imported into it; import into a "
            + "group without a windows: section");
      }
      this.store = store;
      this.group = group;
    }

    public ImportHistoryAction from(HistoryInput input) {
      return new ImportHistoryAction(store, group, input);
    }
  }

  /** When the import was requested (the batch ledger's time; rows keep their own api_invocation_time). */
  public ImportHistoryAction apiInvocationTime(Instant time) {
    this.apiInvocationTime = time;
    return this;
  }

  @Override
  protected String name() {
    return "import";
  }

  @Override
  BatchIngest batch() {
    return new BatchIngest(store, group.withEventTimeFormats(HISTORY_EVENT_TIME_FORMATS), input, apiInvocationTime);
  }
}
