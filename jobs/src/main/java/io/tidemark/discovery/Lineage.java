package io.tidemark.discovery;

import io.tidemark.BadRequestException;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.OfflineStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * Where features went and where training sets came from, read from what the jobs record: the manifest ledger (each
 * training set's groups, table versions, features and spine) and the batch ledger (each batch's table version,
 * input files and transform). Both directions:
 * {@code Lineage.of(store).usedBy("users", Optional.of("age"))} and {@code Lineage.of(store).trainingSet(path)}.
 */
public final class Lineage {
  /**
   * One training set that read a group.
   *
   * @param manifestWritten false when the build recorded its reads but never wrote its manifest (it failed)
   */
  public record Use(String output, String manifest, boolean manifestWritten, Instant builtAt, String group,
      Optional<Long> version, List<String> features, Optional<String> spine) {}

  /** One batch that made a group's table what a training set read. */
  public record Batch(String batchId, String kind, Optional<Long> tableVersion, Instant writeTime, long rowsWritten,
      String source, List<String> inputs, Optional<String> transform, Optional<String> transformSha256) {}

  /** A group a training set read: the version, the features taken, and the batches up to that version. */
  public record GroupSource(String group, Optional<Long> version, List<String> features, List<Batch> batches) {}

  /** What one training set was built from. */
  public record TrainingSet(String output, String manifest, boolean manifestWritten, Instant builtAt,
      Optional<String> spine, List<GroupSource> groups) {}

  private final OfflineStore store;

  private Lineage(OfflineStore store) {
    this.store = store;
  }

  public static Lineage of(OfflineStore store) {
    return new Lineage(store);
  }

  /** The training sets that read {@code group} (and took {@code feature}, when given), oldest build first. */
  public List<Use> usedBy(String group, Optional<String> feature) {
    List<Use> out = new ArrayList<>();
    for (ManifestLedger.Pin p : store.manifests().all(store.database())) {
      if (p.group().equals(group) && feature.map(f -> p.features().contains(f)).orElse(true)) {
        out.add(new Use(p.output(), p.manifest(), exists(p.manifest()), p.createdAt(), p.group(), p.deltaVersion(),
            p.features(), p.spine()));
      }
    }
    return out;
  }

  /**
   * What the training set at {@code path} (its output or its manifest) was built from; the newest build when the
   * output was written more than once.
   */
  public TrainingSet trainingSet(String path) {
    ManifestLedger ledger = store.manifests();
    String qualified = ledger.qualify(path);
    List<ManifestLedger.Pin> pins = ledger.all(store.database()).stream()
        .filter(p -> p.output().equals(qualified) || p.manifest().equals(qualified)).toList();
    if (pins.isEmpty()) {
      throw new BadRequestException("no training set recorded at " + qualified + " in " + ledger.location()
          + " (database " + store.database() + "); pass the --output of a training-set build (or its manifest)");
    }
    Instant newest = pins.stream().map(ManifestLedger.Pin::createdAt).max(Comparator.naturalOrder()).orElseThrow();
    List<ManifestLedger.Pin> build = pins.stream().filter(p -> p.createdAt().equals(newest)).toList();
    ManifestLedger.Pin first = build.get(0);
    Map<String, GroupSource> groups = new LinkedHashMap<>();
    for (ManifestLedger.Pin p : build) {
      groups.put(p.group(), new GroupSource(p.group(), p.deltaVersion(), p.features(), batches(p)));
    }
    return new TrainingSet(first.output(), first.manifest(), exists(first.manifest()), newest, first.spine(),
        List.copyOf(groups.values()));
  }

  /** The group's batches that the pinned version holds (by version; by time for a Parquet table), oldest first. */
  private List<Batch> batches(ManifestLedger.Pin pin) {
    List<Batch> out = new ArrayList<>();
    for (BatchLedger.Entry e : store.ledger().entries(pin.group())) {
      boolean held = pin.deltaVersion().isPresent()
          ? e.tableVersion() != null && e.tableVersion() <= pin.deltaVersion().get()
          : !e.writeTime().toInstant().isAfter(pin.createdAt());
      if (held) {
        out.add(new Batch(e.batchId(), e.kind(), Optional.ofNullable(e.tableVersion()), e.writeTime().toInstant(),
            e.rowsWritten(), e.source(), e.inputs(), e.transform(), e.transformSha256()));
      }
    }
    out.sort(Comparator.comparing(Batch::writeTime));
    return out;
  }

  private boolean exists(String file) {
    Path p = new Path(file);
    try {
      return p.getFileSystem(store.spark().sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + file, e);
    }
  }
}
