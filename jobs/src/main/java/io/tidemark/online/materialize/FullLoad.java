package io.tidemark.online.materialize;

import io.tidemark.asof.AsOf;
import io.tidemark.online.dynamo.OnlineCatalog;
import java.time.Duration;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full reload: the latest row per id at the current offline version (the as-of core's tie-break) goes into a new
 * table version; then the catalog alias switches to it in one conditional update and the old version is retired
 * (deleted after the grace period). Readers never see a half-loaded table.
 */
final class FullLoad {
  private static final Logger LOG = LoggerFactory.getLogger(FullLoad.class);

  private FullLoad() {}

  static LoadContext.Run run(LoadContext c) {
    String group = c.group().name();
    Optional<Long> version = c.table().version();
    Dataset<Row> history = version.isPresent() ? c.table().readVersion(version.get()) : c.table().read();
    if (c.entry().flatMap(OnlineCatalog.Entry::loadingTable).isPresent()) {
      removeAbandonedLoad(c, c.entry().get());
    }
    long previous = c.entry().map(OnlineCatalog.Entry::lastVersion).orElse(0L);
    long next = previous + 1;
    String name = c.tables().versionTable(group, next);
    c.catalog().beginLoad(group, c.lease().owner(), previous, name, next);
    WriteStats stats;
    long writeStart;
    try {
      c.tables().createGroupTable(name, c.schema());
      c.label().step("materialize: " + group + ": full load of offline v" + version.map(String::valueOf)
          .orElse("(parquet)") + " into " + name);
      Dataset<Row> snapshot = AsOf.latestPerKey(c.spread(history.select(c.itemColumns())), c.schema().key(),
          c.schema().eventTimeFeature(), c.schema().valueNames());
      writeStart = System.nanoTime();
      stats = c.write(snapshot, name, true);
    } catch (Exception e) { // also Spark's SparkException, which Scala throws undeclared
      abandonLoad(c, name, e);
      throw e;
    }
    Duration writing = Duration.ofNanos(System.nanoTime() - writeStart);
    c.catalog().switchLive(group, c.lease().owner(), name, version,
        c.entry().flatMap(OnlineCatalog.Entry::liveTable), c.clock().instant());
    LOG.info("materialize {}: alias now points to {} (offline v{})", group, name,
        version.map(String::valueOf).orElse("-"));
    return new LoadContext.Run("full", name, Optional.empty(), version, stats, writing);
  }

  /**
   * A loading table found by the lease holder belongs to a full reload that died (no other run can be loading):
   * no reader ever used it, so it is deleted.
   */
  private static void removeAbandonedLoad(LoadContext c, OnlineCatalog.Entry entry) {
    String loading = entry.loadingTable().orElseThrow();
    LOG.info("materialize {}: deleting {}, left by a full reload that did not finish", c.group().name(), loading);
    c.tables().delete(loading);
    c.catalog().clearLoading(c.group().name(), loading);
  }

  /**
   * A full reload that failed while its process lives deletes its table, which no reader ever used, and (on
   * closing) gives its lease back at once: a re-run need not wait for it to run out. Only a process that dies
   * leaves the lease to run out.
   */
  private static void abandonLoad(LoadContext c, String loading, Exception failure) {
    try {
      c.tables().delete(loading);
      c.catalog().clearLoading(c.group().name(), loading);
      LOG.info("materialize {}: the full reload into {} failed; its table is deleted", c.group().name(), loading);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
