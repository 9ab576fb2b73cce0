package io.tidemark.ingest;

import io.tidemark.definitions.FeatureGroup;
import io.tidemark.definitions.SourceDefinition;
import io.tidemark.definitions.SourceFormat;
import io.tidemark.offline.OfflineStore;
import java.time.Instant;
import java.util.Optional;

/**
 * Deletes records the way SageMaker's DeleteRecord does: appends tombstones (record id, event time,
 * {@code is_deleted = true}) read from a file, so history stays append-only and point-in-time reads after the
 * tombstone see no values. Staged: {@code tidemark.delete("users").from(path, CSV).execute()}.
 */
public final class DeleteAction {
  private final OfflineStore store;
  private final FeatureGroup group;
  private final SourceDefinition source;
  private Instant apiInvocationTime = Instant.now();

  private DeleteAction(OfflineStore store, FeatureGroup group, SourceDefinition source) {
    this.store = store;
    this.group = group;
    this.source = source;
  }

  /** The first stage: a delete needs the file of records to delete. */
  public static final class Stage {
    private final OfflineStore store;
    private final FeatureGroup group;

    public Stage(OfflineStore store, FeatureGroup group) {
      this.store = store;
      this.group = group;
    }

    /** A file whose columns are the group's record identifier and event time. */
    public DeleteAction from(String path, SourceFormat format) {
      return new DeleteAction(store, group,
          new SourceDefinition(path, format, SourceDefinition.defaultOptions(format), Optional.empty()));
    }
  }

  public DeleteAction apiInvocationTime(Instant time) {
    this.apiInvocationTime = time;
    return this;
  }

  public IngestResult execute() {
    return new BatchIngest(store, group, RowValidator.Mode.TOMBSTONES, source,
        new BatchIngest.Options(false, apiInvocationTime, Optional.empty(), Optional.empty())).run();
  }
}
