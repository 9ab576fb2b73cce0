package io.tidemark.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.tidemark.BadRequestException;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.training.TrainingSetManifest;
import io.tidemark.util.Sql;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The rows of one group in a {@link DriftWindow}: its live offline rows in an event-time range or of one batch, or
 * the rows a training set took from it (read back through its manifest).
 */
final class DriftWindowReader {
  private final OfflineStore store;
  private final FeatureGroup group;

  DriftWindowReader(OfflineStore store, FeatureGroup group) {
    this.store = store;
    this.group = group;
  }

  /** A side's rows, each feature in a column of its name and definition type. */
  record Side(String describe, Dataset<Row> rows) {}

  Side rows(DriftWindow window, List<FeatureDefinition> chosen) {
    OfflineTable table = store.forGroup(group).requireExists();
    Column live = col(MetadataColumns.IS_DELETED).isNull().or(col(MetadataColumns.IS_DELETED).equalTo(false));
    if (window instanceof DriftWindow.TimeRange t) {
      Column et = col(group.eventTime());
      Dataset<Row> rows = table.read().where(et.geq(lit(Timestamp.from(t.start()))).and(et.lt(lit(Timestamp.from(
          t.end())))).and(live));
      return new Side(t.describe() + " (" + group.eventTime() + ")", select(rows, chosen, f -> f));
    }
    if (window instanceof DriftWindow.Batch bw) {
      BatchLedger.Entry e = batch(bw.batchId());
      if (e.kind().equals("delete")) {
        throw new BadRequestException("batch " + e.batchId() + " of group '" + group.name() + "' is a delete: it "
            + "wrote tombstones, not feature values; pick an ingest batch (groups describe " + group.name()
            + " lists them)");
      }
      Dataset<Row> rows = table.read().where(col(MetadataColumns.WRITE_TIME).equalTo(lit(e.writeTime())).and(live));
      return new Side("batch " + e.batchId().substring(0, 12) + " (" + e.kind() + " at " + e.writeTime().toInstant()
          + ", " + e.rowsWritten() + " rows written)", select(rows, chosen, f -> f));
    }
    DriftWindow.Manifest m = (DriftWindow.Manifest) window;
    TrainingSetManifest manifest = manifest(m);
    TrainingSetManifest.Group g = manifestGroup(m);
    for (FeatureDefinition f : chosen) {
      if (!g.features().contains(f.name())) {
        throw new BadRequestException("training set " + manifest.output().path() + " did not take " + group.name()
            + "." + f.name() + " (it took " + String.join(", ", g.features()) + "); leave it out of --features");
      }
    }
    Dataset<Row> rows = readOutput(store.spark(), manifest);
    boolean prefixed = manifest.options().prefixFeatures();
    return new Side("training set " + manifest.output().path() + " (" + group.name() + g.deltaVersion().map(v -> " v"
        + v).orElse("") + ")", select(rows, chosen, f -> prefixed ? group.name() + "__" + f : f));
  }

  /** The features of the group that the window's training set took. */
  List<String> featuresTaken(DriftWindow.Manifest m) {
    return manifestGroup(m).features();
  }

  /** A training set's rows as its manifest describes them (parquet, delta or csv). */
  static Dataset<Row> readOutput(SparkSession spark, TrainingSetManifest manifest) {
    String format = manifest.output().format();
    return switch (format) {
      case "parquet", "delta" -> spark.read().format(format).load(manifest.output().path());
      case "csv" -> spark.read().option("header", "true").csv(manifest.output().path());
      default -> throw new BadRequestException("training set " + manifest.output().path() + " is " + format
          + ", whose columns are encoded numbers without a header; drift reads parquet, delta and csv training sets");
    };
  }

  private static Dataset<Row> select(Dataset<Row> rows, List<FeatureDefinition> chosen,
      UnaryOperator<String> column) {
    return rows.select(chosen.stream().map(f -> col(Sql.quote(column.apply(f.name())))
        .cast(f.sparkType()).as(f.name())).toArray(Column[]::new));
  }

  private BatchLedger.Entry batch(String id) {
    BatchLedger ledger = store.ledger();
    Optional<BatchLedger.Entry> exact = ledger.find(group.name(), id);
    if (exact.isPresent()) {
      return exact.get();
    }
    List<BatchLedger.Entry> matches = ledger.entries(group.name()).stream().filter(e -> e.batchId().startsWith(id))
        .toList();
    if (matches.size() != 1) {
      throw new BadRequestException((matches.isEmpty() ? "no batch '" + id + "'" : matches.size() + " batches start "
          + "with '" + id + "'") + " in group '" + group.name() + "''s batch ledger; groups describe " + group.name()
          + " lists its batches (give more of the id)");
    }
    return matches.get(0);
  }

  private TrainingSetManifest manifest(DriftWindow.Manifest m) {
    return TrainingSetManifest.read(m.path(), store.spark().sparkContext().hadoopConfiguration());
  }

  private TrainingSetManifest.Group manifestGroup(DriftWindow.Manifest m) {
    TrainingSetManifest manifest = manifest(m);
    return manifest.groups().stream().filter(g -> g.group().equals(group.name())).findFirst()
        .orElseThrow(() -> new BadRequestException("training set " + manifest.output().path() + " took no features "
            + "of group '" + group.name() + "' (it read " + String.join(", ", manifest.groups().stream()
                .map(TrainingSetManifest.Group::group).toList()) + ")"));
  }
}
