package io.tidemark;

import io.tidemark.action.Action;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.ingest.DeleteAction;
import io.tidemark.ingest.IngestResult;
import io.tidemark.online.materialize.MaterializeResult;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * What {@code tidemark delete} does: the offline tombstones ({@link DeleteAction}), then, for an online-enabled
 * group, the same records deleted online (a materialize of the tombstones' version), unless nothing was written.
 * Lives beside the facade because it joins an offline and an online action; each labels its own Spark jobs.
 */
public final class DeleteRecordsAction implements Action<DeleteRecordsAction, DeleteRecordsAction.Result> {
  private final FeatureGroup group;
  private final DeleteAction offline;
  private final LongFunction<MaterializeResult> onlineTombstones;
  private Consumer<IngestResult> offlineCommitted = r -> { };

  DeleteRecordsAction(FeatureGroup group, DeleteAction offline, LongFunction<MaterializeResult> onlineTombstones) {
    this.group = group;
    this.offline = offline;
    this.onlineTombstones = onlineTombstones;
  }

  /** Reader options over the group's (the CLI's {@code --source-option}). */
  public DeleteRecordsAction sourceOptions(Map<String, String> options) {
    offline.sourceOptions(options);
    return this;
  }

  /** Told once the tombstones are committed offline, before the online delete starts (which may fail). */
  public DeleteRecordsAction onOfflineCommitted(Consumer<IngestResult> listener) {
    this.offlineCommitted = listener;
    return this;
  }

  /** The offline result, and the online one when the group is online and tombstones were written. */
  public record Result(IngestResult offline, Optional<MaterializeResult> online) {}

  /**
   * @throws IllegalStateException when the online delete fails; the tombstones stay committed offline and the
   *     message names the materialize that applies them online
   */
  @Override
  public Result execute() {
    IngestResult result = offline.execute();
    offlineCommitted.accept(result);
    if (!group.online().enabled() || result.rowsWritten() == 0 || result.alreadyIngested()
        || result.tableVersion().isEmpty()) {
      return new Result(result, Optional.empty());
    }
    long version = result.tableVersion().get();
    try {
      return new Result(result, Optional.of(onlineTombstones.apply(version)));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + ". The tombstones are committed offline (v" + version
          + "); the next `tidemark materialize " + group.name() + "` applies them online", e);
    }
  }
}
