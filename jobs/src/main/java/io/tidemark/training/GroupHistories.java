package io.tidemark.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.tidemark.asof.AsOfSource;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.util.Sql;
import java.sql.Date;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The offline histories a training set reads: each group's table at one version (a rebuild's pinned one, or the
 * latest), pruned to what the join needs, and the record of those versions that keeps {@code vacuum} off them.
 */
final class GroupHistories {
  private final OfflineStore store;
  private final Map<String, OfflineTable> tables = new LinkedHashMap<>();
  private final Map<String, Optional<Long>> versions = new LinkedHashMap<>();

  GroupHistories(OfflineStore store) {
    this.store = store;
  }

  /** The group's history as a join source, at its pinned version or the latest; its table must exist. */
  AsOfSource source(RequestedGroup g, Map<String, Long> pinnedVersions, SpineProfile spine) {
    OfflineTable table = store.forGroup(g.group());
    if (!table.exists()) {
      throw new IllegalArgumentException("group '" + g.name() + "' has no offline table " + table.tableName()
          + " yet; run: tidemark ingest " + g.name());
    }
    Optional<Long> version = Optional.ofNullable(pinnedVersions.get(g.name())).or(table::version);
    tables.put(g.name(), table);
    versions.put(g.name(), version);
    Dataset<Row> history = version.isPresent() ? table.readVersion(version.get()) : table.read();
    return new AsOfSource(g.name(), prune(history, g, spine), g.joinKey(), g.group().recordIdentifier(),
        g.group().eventTime(), g.group().valueFeatures().stream().map(FeatureDefinition::name).toList(),
        g.features(), g.outputNames(), g.ttl());
  }

  OfflineTable table(String group) {
    return tables.get(group);
  }

  /** The Delta version read (empty for a Parquet table). */
  Optional<Long> version(String group) {
    return versions.get(group);
  }

  /**
   * Records, before anything is written, which version of each group this build reads and where its manifest goes,
   * so that {@code vacuum} keeps those files ({@link ManifestLedger}; a build that fails leaves a row whose manifest
   * does not exist, which vacuum does not count).
   */
  void pin(TrainingSetRequest request, List<RequestedGroup> groups, Instant started) {
    ManifestLedger ledger = store.manifests();
    String manifest = ledger.qualify(TrainingSetManifest.pathFor(request.output()));
    String out = ledger.qualify(request.output());
    // lineage: which features of each group, from which spine
    Optional<String> spine = request.spineTable().map(t -> "table " + t)
        .or(() -> request.spineFile().map(f -> ledger.qualify(f.path())));
    List<ManifestLedger.Pin> pins = new ArrayList<>();
    tables.forEach((group, table) -> {
      Optional<Long> version = versions.get(group);
      List<String> features = groups.stream().filter(g -> g.name().equals(group))
          .flatMap(g -> g.features().stream()).distinct().toList();
      pins.add(new ManifestLedger.Pin(store.database(), group, version, version.map(table::commitTime), manifest,
          out, started, features, spine));
    });
    ledger.record(pins);
  }

  /** Only the columns the join needs, and only partitions that can hold candidates (event_date is UTC). */
  private static Dataset<Row> prune(Dataset<Row> history, RequestedGroup g, SpineProfile spine) {
    List<String> needed = new ArrayList<>(List.of(g.group().recordIdentifier(), g.group().eventTime(),
        MetadataColumns.WRITE_TIME, MetadataColumns.IS_DELETED));
    g.group().valueFeatures().forEach(f -> needed.add(f.name()));
    g.features().stream().filter(f -> !needed.contains(f)).forEach(needed::add);
    Dataset<Row> h = history;
    if (spine.maxTime() != null && g.group().offline().partitionByEventDate()) {
      h = h.where(col(MetadataColumns.EVENT_DATE).leq(lit(utcDate(spine.maxTime()))));
      if (g.ttl().isPresent()) {
        h = h.where(col(MetadataColumns.EVENT_DATE).geq(lit(utcDate(spine.minTime().minus(g.ttl().get())))));
      }
    }
    return h.select(needed.stream().map(c -> col(Sql.quote(c))).toArray(Column[]::new));
  }

  private static Date utcDate(Instant t) {
    return Date.valueOf(t.atZone(ZoneOffset.UTC).toLocalDate());
  }
}
