package io.tidemark.governance;

import io.tidemark.offline.ErasureLedger;

/** What an erasure (or the lifting of one) did: its audit entry, which holds counts, never ids or values. */
public record EraseResult(ErasureLedger.Entry entry) {
  /** One line for logs. */
  public String summary() {
    ErasureLedger.Entry e = entry;
    if (e.kind().equals("lift")) {
      return "erase " + e.group() + ": lifted erasure " + e.erasureId() + " (" + e.ids() + " record ids may be "
          + "ingested again)";
    }
    return "erase " + e.group() + ": erasure " + e.erasureId() + ": " + e.ids() + " record ids; deleted "
        + e.offlineRowsDeleted() + " offline rows" + e.tableVersion().map(v -> " (now v" + v + ")").orElse("")
        + ", " + e.quarantineRowsDeleted() + " quarantined rows, " + e.onlineItemsDeleted() + " online items"
        + (e.releasedManifests().isEmpty() ? "" : "; released " + e.releasedManifests().size() + " training-set "
            + "manifests: " + String.join(", ", e.releasedManifests()));
  }
}
