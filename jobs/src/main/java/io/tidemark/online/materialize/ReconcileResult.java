package io.tidemark.online.materialize;

import java.util.List;
import java.util.Optional;

/**
 * What reconcile found for a sample of record ids: each is matched, missing, stale, mismatched or orphaned. A
 * matched record is served with exactly the offline latest values (or, for a record deleted or expired offline,
 * is not served).
 *
 * @param missing the offline latest is live but nothing is served
 * @param stale the served item is older than the offline latest (or still served though deleted/expired offline)
 * @param mismatched same event time but other values, or an online item newer than anything offline
 * @param orphaned served online, but the offline store has no record with this id
 * @param examples up to 10 lines per kind of problem: the id and what differs
 */
public record ReconcileResult(String group, String table, Optional<Long> offlineVersion, Optional<Long> watermark,
    long sampled, long matched, long missing, long stale, long mismatched, long orphaned, List<String> examples) {
  public ReconcileResult {
    examples = List.copyOf(examples);
    if (sampled != matched + missing + stale + mismatched + orphaned) {
      throw new IllegalStateException("reconcile " + group + ": sampled " + sampled + " != matched + missing + stale"
          + " + mismatched + orphaned");
    }
  }

  public long problems() {
    return missing + stale + mismatched + orphaned;
  }

  public String summary() {
    String lag = watermark.isPresent() && offlineVersion.isPresent() && !watermark.equals(offlineVersion)
        ? " (online reflects offline v" + watermark.get() + ", offline is at v" + offlineVersion.get()
            + ": run materialize)" : "";
    return "reconcile " + group + " (" + table + "): sampled " + sampled + ", matched " + matched + ", missing "
        + missing + ", stale " + stale + ", mismatched " + mismatched + ", orphaned " + orphaned + lag;
  }
}
