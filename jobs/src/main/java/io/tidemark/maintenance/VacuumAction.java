package io.tidemark.maintenance;

import io.tidemark.action.BaseAction;
import io.tidemark.definitions.Durations;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.ManifestLedger;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.training.TrainingSetManifest;
import io.tidemark.util.JobLabel;
import io.tidemark.util.SessionSettings;
import io.tidemark.util.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Deletes the files of a group's offline table that no version of the last {@code retention} needs (Delta VACUUM),
 * but never a file a recorded training-set manifest still needs: {@code tidemark.vacuum("users").execute()}.
 *
 * <p>Delta keeps every file the versions committed within the retention read; an older version may lose the files
 * later commits (optimize, backfills, deletes of history) replaced. Every training set records the versions it read
 * in the {@link ManifestLedger}. A pinned version can only lose files when a commit after it is older than the
 * retention; for those, vacuum checks that the manifest still exists and names that version, lists what Delta would
 * delete (a dry run) and refuses, naming the group, the manifests, their versions and times and the shortest
 * retention that keeps them, when any of it is a file of a pinned version. {@link #forgetManifest} un-pins a
 * manifest first; deleting a training set with its manifest un-pins it too.
 */
public final class VacuumAction extends BaseAction<VacuumAction, VacuumResult> {
  /** Delta's default retention (the table property delta.deletedFileRetentionDuration): 7 days. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(168);
  /**
   * Pins whose next commit is this close to the retention's edge are checked too: commit times come from the
   * storage's clock, Delta's deletion times and "now" from the driver's.
   */
  private static final Duration CLOCK_MARGIN = Duration.ofHours(1);

  private final OfflineStore store;
  private final FeatureGroup group;
  private Duration retention = DEFAULT_RETENTION;
  private final List<String> forget = new ArrayList<>();

  public VacuumAction(SparkSession spark, OfflineStore store, FeatureGroup group) {
    super(spark);
    this.store = store;
    this.group = group;
  }

  /** Keep every file a version committed within this long needs (default 168h, Delta's). */
  public VacuumAction retain(Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("vacuum --retain must not be negative, got " + value);
    }
    this.retention = value;
    return this;
  }

  /**
   * Un-pins a training-set manifest from this group first: its versions no longer hold files back, and once vacuum
   * deleted them that training set can no longer be rebuilt with {@code --from-manifest}.
   */
  public VacuumAction forgetManifest(String manifestPath) {
    forget.add(manifestPath);
    return this;
  }

  /** A pinned version vacuum would take files from. */
  private record Loss(long version, Instant committed, List<ManifestLedger.Pin> pins, int files,
      Duration shortestRetention) {}

  @Override
  protected String name() {
    return "vacuum";
  }

  @Override
  protected String description() {
    return store.forGroup(group).tableName() + " --retain " + Durations.format(retention);
  }

  @Override
  protected VacuumResult run(JobLabel job) {
    OfflineTable table = store.forGroup(group).requireExists();
    table.requireDelta("vacuum");
    ManifestLedger ledger = store.manifests();
    List<String> forgotten = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (String m : forget) {
      String manifest = ledger.qualify(m);
      if (ledger.forget(store.database(), group.name(), manifest) > 0) {
        forgotten.add(manifest);
      } else {
        warnings.add("--forget-manifest " + m + ": that manifest pins no version of " + group.name());
      }
    }
    job.step("vacuum: " + table.tableName() + ": pinned versions");
    Instant now = Instant.now();
    List<OfflineTable.Commit> commits = table.commits();
    long before = commits.get(commits.size() - 1).version();
    Map<Long, List<ManifestLedger.Pin>> pinned = new TreeMap<>();
    ledger.pins(store.database(), group.name()).forEach(p -> p.deltaVersion().ifPresent(v ->
        pinned.computeIfAbsent(v, k -> new ArrayList<>()).add(p)));
    Map<Long, List<ManifestLedger.Pin>> atRisk = atRisk(pinned, commits, now.minus(retention), warnings);
    if (!atRisk.isEmpty()) {
      job.step("vacuum: " + table.tableName() + ": files a dry run would delete");
      List<Loss> losses = losses(table, atRisk, commits, now, warnings);
      if (!losses.isEmpty()) {
        throw new IllegalStateException(refusal(table, losses));
      }
    }
    job.step("vacuum: " + table.tableName() + ": delete files older than " + Durations.format(retention));
    quietly(() -> SessionSettings.with(spark, settings(true), () -> spark.sql(vacuumSql(table, false))
        .collectAsList()));
    // the quarantine keeps refused rows' raw data (an erasure deletes some): its old files go with the same
    // retention; no training set reads it, so nothing is pinned there
    String quarantine = table.quarantine().location();
    if (io.delta.tables.DeltaTable.isDeltaTable(spark, quarantine)) {
      job.step("vacuum: " + table.quarantine().tableName() + ": delete files older than "
          + Durations.format(retention));
      quietly(() -> SessionSettings.with(spark, settings(false), () -> spark.sql(vacuumSql(quarantine, false))
          .collectAsList()));
    }
    List<OfflineTable.Commit> after = table.commits().stream().filter(c -> c.version() > before).toList();
    long deleted = after.stream().filter(c -> c.operation().equals("VACUUM END"))
        .mapToLong(c -> Long.parseLong(c.metrics().getOrDefault("numDeletedFiles", "0"))).sum();
    long versionAfter = after.stream().mapToLong(OfflineTable.Commit::version).max().orElse(before);
    return new VacuumResult(group.name(), table.tableName(), retention, deleted, before, versionAfter,
        List.copyOf(pinned.keySet()), forgotten, warnings);
  }

  /**
   * The pins that could lose files: a commit after the pinned version (which may have replaced its files) is older
   * than the cutoff, give or take {@link #CLOCK_MARGIN}; and whose manifest still exists and names that version.
   */
  private Map<Long, List<ManifestLedger.Pin>> atRisk(Map<Long, List<ManifestLedger.Pin>> pinned,
      List<OfflineTable.Commit> commits, Instant cutoff, List<String> warnings) {
    Map<Long, List<ManifestLedger.Pin>> atRisk = new TreeMap<>();
    Map<String, Optional<TrainingSetManifest>> manifests = new HashMap<>();
    pinned.forEach((version, pins) -> {
      Optional<OfflineTable.Commit> next = commits.stream().filter(c -> c.version() > version).findFirst();
      if (next.isEmpty() || !next.get().time().isBefore(cutoff.plus(CLOCK_MARGIN))) {
        return;
      }
      for (ManifestLedger.Pin p : pins) {
        Optional<TrainingSetManifest> m = manifests.computeIfAbsent(p.manifest(), this::readManifest);
        if (m.isEmpty()) {
          warnings.add("manifest " + p.manifest() + " does not exist (deleted, or its build failed): its pin of "
              + group.name() + " v" + version + " does not count");
        } else if (m.get().groups().stream().noneMatch(g -> g.group().equals(group.name())
            && g.deltaVersion().equals(Optional.of(version)))) {
          warnings.add("manifest " + p.manifest() + " no longer reads " + group.name() + " v" + version
              + " (it was overwritten): that pin does not count");
        } else {
          atRisk.computeIfAbsent(version, k -> new ArrayList<>()).add(p);
        }
      }
    });
    return atRisk;
  }

  private Optional<TrainingSetManifest> readManifest(String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path p = new Path(path);
      if (!p.getFileSystem(conf).exists(p)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the manifest " + path, e);
    }
    return Optional.of(TrainingSetManifest.read(path, conf));
  }

  /** The pinned versions a vacuum with this retention would take files from (Delta's dry run decides). */
  private List<Loss> losses(OfflineTable table, Map<Long, List<ManifestLedger.Pin>> atRisk,
      List<OfflineTable.Commit> commits, Instant now, List<String> warnings) {
    DataFiles files = new DataFiles(spark, table);
    Set<String> doomed = new HashSet<>();
    quietly(() -> SessionSettings.with(spark, settings(false), () -> spark.sql(vacuumSql(table, true))
        .collectAsList())).forEach(r -> doomed.add(files.qualified(r.getString(0))));
    List<Loss> losses = new ArrayList<>();
    Map<String, Instant> deletionTimes = null;
    for (Map.Entry<Long, List<ManifestLedger.Pin>> e : atRisk.entrySet()) {
      long version = e.getKey();
      List<String> needed;
      try {
        needed = Arrays.stream(spark.read().format("delta").option("versionAsOf", version).load(table.location())
            .inputFiles()).map(f -> files.qualified(f)).filter(doomed::contains).toList();
      } catch (Exception ex) { // AnalysisException (undeclared on Spark 3.5): the log of that version is gone
        warnings.add("manifests " + e.getValue().stream().map(ManifestLedger.Pin::manifest).toList() + " pin "
            + group.name() + " v" + version + ", which Delta can no longer read (" + ex.getMessage() + "); they "
            + "cannot be rebuilt, whatever vacuum keeps");
        continue;
      }
      if (needed.isEmpty()) {
        continue;
      }
      if (deletionTimes == null) {
        deletionTimes = files.deletionTimes();
      }
      Instant oldest = now;
      for (String f : needed) {
        Instant t = Optional.ofNullable(deletionTimes.get(f)).orElseGet(() -> files.modificationTime(f));
        oldest = t.isBefore(oldest) ? t : oldest;
      }
      Instant committed = commits.stream().filter(c -> c.version() == version).findFirst()
          .map(OfflineTable.Commit::time).orElse(e.getValue().get(0).versionTime().orElse(null));
      losses.add(new Loss(version, committed, e.getValue(), needed.size(), ceilHours(Duration.between(oldest, now))));
    }
    return losses;
  }

  private String refusal(OfflineTable table, List<Loss> losses) {
    Duration shortest = losses.stream().map(Loss::shortestRetention).max(Duration::compareTo).orElseThrow();
    String what = losses.stream().map(l -> "version " + l.version() + " of " + table.tableName() + " (committed "
        + l.committed() + ") needs " + l.files() + " of them, pinned by "
        + l.pins().stream().map(p -> "manifest " + p.manifest() + " (built " + p.createdAt() + ")")
            .collect(Collectors.joining(", ")))
        .collect(Collectors.joining("; "));
    return "vacuum " + group.name() + " --retain " + Durations.format(retention) + " refused: recorded training sets "
        + "still need files it would delete: " + what + ". Keep them with --retain " + Durations.format(shortest)
        + " or longer (the shortest retention that keeps every pinned version readable now; it grows as time "
        + "passes), or un-pin a manifest with --forget-manifest PATH (that training set can then no longer be rebuilt "
        + "with --from-manifest), or delete the training set with its manifest";
  }

  /**
   * Delta refuses retentions shorter than the table's delta.deletedFileRetentionDuration (7 days) unless its check
   * is off: off for this call only when the retention is shorter than 168h. Vacuum logging makes Delta record the
   * run (VACUUM START / END commits with the number of files deleted) on every file system, not only some.
   */
  private Map<String, String> settings(boolean log) {
    Map<String, String> s = new HashMap<>();
    if (retention.compareTo(DEFAULT_RETENTION) < 0) {
      s.put("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    }
    if (log) {
      s.put("spark.databricks.delta.vacuum.logging.enabled", "true");
    }
    return s;
  }

  /**
   * Delta's vacuum prints what it found and deleted with Scala's {@code println}; that goes to stderr here (for
   * this thread only), as stdout carries only results (one summary line per job).
   */
  private static <T> T quietly(java.util.function.Supplier<T> call) {
    return scala.Console.withOut(System.err, call::get);
  }

  private String vacuumSql(OfflineTable table, boolean dryRun) {
    return vacuumSql(table.location(), dryRun);
  }

  private String vacuumSql(String location, boolean dryRun) {
    String hours = BigDecimal.valueOf(retention.toMillis()).divide(BigDecimal.valueOf(3_600_000L), 9,
        RoundingMode.CEILING).stripTrailingZeros().toPlainString();
    return "VACUUM delta." + Sql.quote(location) + " RETAIN " + hours + " HOURS" + (dryRun ? " DRY RUN" : "");
  }

  /** At least {@code d}, in whole hours (at least one). */
  private static Duration ceilHours(Duration d) {
    long hours = Math.max(1, (d.toMillis() + 3_599_999L) / 3_600_000L);
    return Duration.ofHours(hours);
  }
}
