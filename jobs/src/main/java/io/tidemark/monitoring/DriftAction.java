package io.tidemark.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.tidemark.BadRequestException;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.BatchLedger;
import io.tidemark.offline.MetadataColumns;
import io.tidemark.offline.OfflineStore;
import io.tidemark.offline.OfflineTable;
import io.tidemark.training.TrainingSetManifest;
import io.tidemark.util.JobLabel;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares a group's features between a baseline and a current {@link DriftWindow}: per feature the population
 * stability index (PSI) over common bins and a two-sample test (Kolmogorov-Smirnov for numbers and timestamps,
 * chi-square for strings and booleans). Two Spark jobs over both windows together (see {@link Profiler}); only
 * bin counts and quantiles reach the driver.
 *
 * <pre>
 * DriftResult r = tidemark.drift("users").baseline(DriftWindow.parse("2026-01-01..2026-02-01"))
 *     .current(DriftWindow.parse("2026-02-01..2026-03-01")).execute();
 * </pre>
 */
public final class DriftAction {
  public static final double DEFAULT_PSI_THRESHOLD = 0.2;
  public static final double DEFAULT_ALPHA = 0.01;
  /** The proportion an empty bin counts as in PSI, so that ln(q/p) stays finite. */
  public static final double EPSILON = 1e-4;
  public static final String MISSING = "(missing)";
  public static final String OTHER = "(other)";
  private static final String SIDE = "_tm_side";

  private final OfflineStore store;
  private final FeatureGroup group;
  private DriftWindow baseline;
  private DriftWindow current;
  private List<String> features = List.of();
  private double psiThreshold = DEFAULT_PSI_THRESHOLD;
  private double alpha = DEFAULT_ALPHA;

  public DriftAction(OfflineStore store, FeatureGroup group) {
    this.store = store;
    this.group = group;
  }

  public DriftAction baseline(DriftWindow window) {
    this.baseline = window;
    return this;
  }

  public DriftAction current(DriftWindow window) {
    this.current = window;
    return this;
  }

  /** The features to compare (default: every value feature but collections; of a training set, those it took). */
  public DriftAction features(List<String> names) {
    this.features = List.copyOf(names);
    return this;
  }

  /** A feature drifts when its PSI is above this (default 0.2). */
  public DriftAction psiThreshold(double threshold) {
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new BadRequestException("PSI threshold " + threshold + " must be a positive number (0.1 flags moderate "
          + "shifts, 0.2 significant ones)");
    }
    this.psiThreshold = threshold;
    return this;
  }

  /** A feature drifts when its test's p-value is below this (default 0.01). */
  public DriftAction alpha(double value) {
    if (!(value > 0 && value < 1)) {
      throw new BadRequestException("alpha " + value + " must be between 0 and 1 (e.g. 0.01)");
    }
    this.alpha = value;
    return this;
  }

  /** A side's rows, each feature in a column of its name and definition type. */
  private record Side(String describe, Dataset<Row> rows) {}

  public DriftResult execute() {
    if (baseline == null || current == null) {
      throw new BadRequestException("drift needs a baseline and a current window (--baseline and --current)");
    }
    List<FeatureDefinition> chosen = chooseFeatures();
    try (JobLabel label = JobLabel.start(store.spark(), "drift", group.name() + ": " + baseline.describe() + " vs "
        + current.describe())) {
      Side b = rows(baseline, chosen);
      Side c = rows(current, chosen);
      List<Profiler.Input> inputs = chosen.stream().map(Profiler.Input::of).toList();
      Dataset<Row> both = b.rows().withColumn(SIDE, lit(0)).unionByName(c.rows().withColumn(SIDE, lit(1)));
      Column isBaseline = col(SIDE).equalTo(0);
      Column isCurrent = col(SIDE).equalTo(1);
      label.step("drift: " + group.name() + ": counts and percentiles of " + chosen.size() + " features");
      List<Column> aggs = new ArrayList<>(List.of(sum(when(isCurrent, 1).otherwise(0)).cast("long")));
      aggs.addAll(Profiler.summaryColumns(inputs, isBaseline, Profiler.PERCENTILES));
      aggs.addAll(Profiler.summaryColumns(inputs, isCurrent, Profiler.PERCENTILES));
      Row first = both.agg(sum(when(isBaseline, 1).otherwise(0)).cast("long"), aggs.toArray(Column[]::new)).first();
      long bRows = first.getLong(0);
      long cRows = first.getLong(1);
      requireRows(bRows, "baseline", b.describe());
      requireRows(cRows, "current", c.describe());
      List<Profiler.Summary> bs = Profiler.summaries(inputs, first, 2, bRows);
      List<Profiler.Summary> cs = Profiler.summaries(inputs, first, 2 + inputs.size() * Profiler.SUMMARY_COLUMNS,
          cRows);
      Map<Integer, double[]> edges = new java.util.HashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        if (inputs.get(i).kind().numeric()) {
          edges.put(i, commonEdges(bs.get(i).quantiles(), cs.get(i).quantiles()));
        }
      }
      label.step("drift: " + group.name() + ": bin counts of " + chosen.size() + " features");
      Map<Integer, Map<String, long[]>> counts = Profiler.counts(both, inputs, edges, col(SIDE), 2,
          Profiler.TOP_VALUES);
      List<DriftResult.FeatureDrift> out = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        Map<String, long[]> c0 = counts.getOrDefault(i, Map.of());
        out.add(inputs.get(i).kind().numeric()
            ? numeric(inputs.get(i), bs.get(i), cs.get(i), edges.get(i), c0)
            : categorical(inputs.get(i), bs.get(i), cs.get(i), c0));
      }
      return new DriftResult(group.name(), b.describe(), c.describe(), bRows, cRows, psiThreshold, alpha, out);
    }
  }

  private void requireRows(long n, String which, String describe) {
    if (n == 0) {
      throw new IllegalArgumentException("the " + which + " window " + describe + " has no rows of group '"
          + group.name() + "'; pick a window with data (groups describe " + group.name() + " shows its last event "
          + "and batches)");
    }
  }

  private List<FeatureDefinition> chooseFeatures() {
    List<FeatureDefinition> out = new ArrayList<>();
    List<String> names = features.isEmpty() ? group.valueFeatures().stream().filter(f -> !f.isCollection())
        .map(FeatureDefinition::name).toList() : features;
    for (String n : names) {
      FeatureDefinition f = group.feature(n).orElseThrow(() -> new BadRequestException("group '" + group.name()
          + "' has no feature '" + n + "' (its features: " + String.join(", ", group.featureNames()) + ")"));
      if (f.isCollection()) {
        throw new BadRequestException("feature '" + n + "' is a " + f.typeName() + ": drift compares numbers, "
            + "timestamps, strings and booleans; leave it out of --features");
      }
      if (n.equals(group.recordIdentifier()) || n.equals(group.eventTime())) {
        throw new BadRequestException("'" + n + "' is group '" + group.name() + "''s "
            + (n.equals(group.eventTime()) ? "event time" : "record identifier") + ", not a value feature: leave it "
            + "out of --features");
      }
      out.add(f);
    }
    if (features.isEmpty()) {
      // of a training set, only the features it took
      for (DriftWindow w : List.of(baseline, current)) {
        if (w instanceof DriftWindow.Manifest m) {
          List<String> took = manifestGroup(m).features();
          out.removeIf(f -> !took.contains(f.name()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new BadRequestException("group '" + group.name() + "' has no features to compare in these windows");
    }
    return out;
  }

  private Side rows(DriftWindow window, List<FeatureDefinition> chosen) {
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

  /** A training set's rows as its manifest describes them (parquet, delta or csv). */
  static Dataset<Row> readOutput(org.apache.spark.sql.SparkSession spark, TrainingSetManifest manifest) {
    String format = manifest.output().format();
    return switch (format) {
      case "parquet", "delta" -> spark.read().format(format).load(manifest.output().path());
      case "csv" -> spark.read().option("header", "true").csv(manifest.output().path());
      default -> throw new BadRequestException("training set " + manifest.output().path() + " is " + format
          + ", whose columns are encoded numbers without a header; drift reads parquet, delta and csv training sets");
    };
  }

  private static Dataset<Row> select(Dataset<Row> rows, List<FeatureDefinition> chosen,
      java.util.function.UnaryOperator<String> column) {
    return rows.select(chosen.stream().map(f -> col(io.tidemark.util.Sql.quote(column.apply(f.name())))
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

  /** Both sides' percentiles, sorted and distinct: the points the ECDFs are compared at. */
  static double[] commonEdges(double[] a, double[] b) {
    TreeSet<Double> s = new TreeSet<>();
    Arrays.stream(a).forEach(s::add);
    Arrays.stream(b).forEach(s::add);
    return s.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private DriftResult.FeatureDrift numeric(Profiler.Input in, Profiler.Summary b, Profiler.Summary c,
      double[] fine, Map<String, long[]> counts) {
    // PSI bins: the baseline's inner deciles (percentiles 10..90), each one of the fine edges
    TreeSet<Double> d = new TreeSet<>();
    for (int k = 10; k <= 90 && b.quantiles().length > 0; k += 10) {
      d.add(b.quantiles()[k]);
    }
    double[] deciles = d.stream().mapToDouble(Double::doubleValue).toArray();
    long[] bFine = new long[fine.length + 1];
    long[] cFine = new long[fine.length + 1];
    counts.forEach((k, v) -> {
      bFine[Integer.parseInt(k)] += v[0];
      cFine[Integer.parseInt(k)] += v[1];
    });
    List<String> bins = new ArrayList<>();
    long[] bBins = new long[deciles.length + 1];
    long[] cBins = new long[deciles.length + 1];
    for (int j = 0; j <= fine.length; j++) {
      double upper = j < fine.length ? fine[j] : Double.POSITIVE_INFINITY;
      int coarse = (int) Arrays.stream(deciles).filter(x -> x < upper).count();
      bBins[coarse] += bFine[j];
      cBins[coarse] += cFine[j];
    }
    for (int k = 0; k <= deciles.length; k++) {
      bins.add(deciles.length == 0 ? "all values" : k == 0 ? "<= " + format(deciles[0], in.kind())
          : k == deciles.length ? "> " + format(deciles[k - 1], in.kind())
          : "(" + format(deciles[k - 1], in.kind()) + ", " + format(deciles[k], in.kind()) + "]");
    }
    List<Long> bl = new ArrayList<>(Arrays.stream(bBins).boxed().toList());
    List<Long> cl = new ArrayList<>(Arrays.stream(cBins).boxed().toList());
    addMissing(bins, bl, cl, b, c);
    // KS: the largest gap between the two ECDFs at the fine edges (exact when every distinct value is an edge)
    List<DriftResult.EcdfPoint> ecdf = new ArrayList<>();
    double dMax = 0;
    long bCum = 0;
    long cCum = 0;
    for (int j = 0; j < fine.length; j++) {
      bCum += bFine[j];
      cCum += cFine[j];
      double f0 = b.values() == 0 ? 0 : (double) bCum / b.values();
      double f1 = c.values() == 0 ? 0 : (double) cCum / c.values();
      ecdf.add(new DriftResult.EcdfPoint(fine[j], f0, f1));
      dMax = Math.max(dMax, Math.abs(f0 - f1));
    }
    Optional<Double> statistic = Optional.empty();
    Optional<Double> p = Optional.empty();
    if (b.values() > 0 && c.values() > 0) {
      statistic = Optional.of(dMax);
      p = Optional.of(ksPValue(dMax, b.values(), c.values()));
    }
    return drift(in, b, c, bins, bl, cl, "KS", statistic, p, ecdf);
  }

  /** P(D >= d) for samples of n and m values, by the asymptotic Kolmogorov distribution (commons-math3). */
  static double ksPValue(double d, long n, long m) {
    if (d == 0) {
      return 1.0;
    }
    return new KolmogorovSmirnovTest().approximateP(d, (int) Math.min(n, Integer.MAX_VALUE),
        (int) Math.min(m, Integer.MAX_VALUE));
  }

  private DriftResult.FeatureDrift categorical(Profiler.Input in, Profiler.Summary b, Profiler.Summary c,
      Map<String, long[]> counts) {
    List<Map.Entry<String, long[]>> top = counts.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
            .thenComparingLong(e -> -e.getValue()[1]).thenComparing(Map.Entry::getKey)).toList();
    List<String> bins = new ArrayList<>();
    List<Long> bl = new ArrayList<>();
    List<Long> cl = new ArrayList<>();
    long bTop = 0;
    long cTop = 0;
    for (Map.Entry<String, long[]> e : top) {
      bins.add(e.getKey());
      bl.add(e.getValue()[0]);
      cl.add(e.getValue()[1]);
      bTop += e.getValue()[0];
      cTop += e.getValue()[1];
    }
    if (b.values() > bTop || c.values() > cTop) {
      bins.add(OTHER);
      bl.add(b.values() - bTop);
      cl.add(c.values() - cTop);
    }
    addMissing(bins, bl, cl, b, c);
    // chi-square on the bins either side has rows in (the test needs no empty column)
    List<long[]> used = new ArrayList<>();
    for (int k = 0; k < bins.size(); k++) {
      if (bl.get(k) + cl.get(k) > 0) {
        used.add(new long[] {bl.get(k), cl.get(k)});
      }
    }
    double statistic = 0;
    double p = 1;
    if (used.size() >= 2) {
      long[] o1 = used.stream().mapToLong(x -> x[0]).toArray();
      long[] o2 = used.stream().mapToLong(x -> x[1]).toArray();
      ChiSquareTest test = new ChiSquareTest();
      statistic = test.chiSquareDataSetsComparison(o1, o2);
      p = test.chiSquareTestDataSetsComparison(o1, o2);
    }
    return drift(in, b, c, bins, bl, cl, "chi-square", Optional.of(statistic), Optional.of(p), List.of());
  }

  private static void addMissing(List<String> bins, List<Long> bl, List<Long> cl, Profiler.Summary b,
      Profiler.Summary c) {
    if (b.missing() + c.missing() > 0) {
      bins.add(MISSING);
      bl.add(b.missing());
      cl.add(c.missing());
    }
  }

  private DriftResult.FeatureDrift drift(Profiler.Input in, Profiler.Summary b, Profiler.Summary c,
      List<String> bins, List<Long> bl, List<Long> cl, String test, Optional<Double> statistic, Optional<Double> p,
      List<DriftResult.EcdfPoint> ecdf) {
    double psi = psi(bl, b.count(), cl, c.count());
    return new DriftResult.FeatureDrift(in.feature(), in.kind(), b.missing(), c.missing(), b.mean(), c.mean(), psi,
        test, statistic, p, psi > psiThreshold, p.isPresent() && p.get() < alpha, bins, bl, cl, ecdf);
  }

  /** PSI = sum over bins of (q - p) ln(q / p), p and q the baseline's and current's shares, at least EPSILON. */
  static double psi(List<Long> baseline, long baselineRows, List<Long> current, long currentRows) {
    double psi = 0;
    for (int k = 0; k < baseline.size(); k++) {
      double p = Math.max((double) baseline.get(k) / baselineRows, EPSILON);
      double q = Math.max((double) current.get(k) / currentRows, EPSILON);
      psi += (q - p) * Math.log(q / p);
    }
    return psi;
  }

  /** A bin edge for people: a timestamp as an instant, a number with up to 6 significant digits. */
  public static String format(double x, FeatureKind kind) {
    if (kind == FeatureKind.TIMESTAMP) {
      return java.time.Instant.ofEpochMilli(Math.round(x * 1000)).toString();
    }
    if (x == Math.rint(x) && Math.abs(x) < 1e15) {
      return Long.toString((long) x);
    }
    return new java.math.BigDecimal(x).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
  }
}
