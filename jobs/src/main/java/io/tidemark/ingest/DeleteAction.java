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
public final class DeleteAction extends BatchAction<DeleteAction> {
  private final OfflineStore store;
  private final FeatureGroup group;
  private SourceDefinition source;
  private Instant apiInvocationTime = Instant.now();

  private DeleteAction(OfflineStore store, FeatureGroup group, SourceDefinition source) {
    super(store);
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

    /**
     * A file whose columns are the group's record identifier and event time, read with the reader options of the
     * group's source of the same format (e.g. its csv delimiter), else the format's defaults.
     */
    public DeleteAction from(String path, SourceFormat format) {
      java.util.Map<String, String> options = group.source().stream().flatMap(s -> s.inputs().stream())
          .filter(i -> i.format() == format).findFirst().map(io.tidemark.definitions.SourceInput::options)
          .orElse(SourceDefinition.defaultOptions(format));
      return new DeleteAction(store, group, new SourceDefinition(path, format, options, Optional.empty()));
    }
  }

  /** Reader options over those {@link Stage#from} chose (the CLI's {@code --source-option}). */
  public DeleteAction sourceOptions(java.util.Map<String, String> options) {
    this.source = source.withOptions(options);
    return this;
  }

  public DeleteAction apiInvocationTime(Instant time) {
    this.apiInvocationTime = time;
    return this;
  }

  @Override
  protected String name() {
    return "delete";
  }

  @Override
  BatchIngest batch() {
    return new BatchIngest(store, group, RowValidator.Mode.TOMBSTONES, source,
        new BatchIngest.Options(false, apiInvocationTime, Optional.empty(), Optional.empty()));
  }
}
