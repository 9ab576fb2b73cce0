package io.tidemark.ingest;

import io.tidemark.action.BaseAction;
import io.tidemark.offline.OfflineStore;
import io.tidemark.util.JobLabel;

/** An action that writes one batch to a group's offline table (ingest, delete, import): a {@link BatchIngest}. */
abstract class BatchAction<ThisT extends BatchAction<ThisT>> extends BaseAction<ThisT, IngestResult> {
  BatchAction(OfflineStore store) {
    super(store.spark());
  }

  /** The batch this run writes, as the builder set it up. */
  abstract BatchIngest batch();

  @Override
  protected final String description() {
    return batch().description();
  }

  @Override
  protected final IngestResult run(JobLabel label) {
    return batch().run(label);
  }
}
