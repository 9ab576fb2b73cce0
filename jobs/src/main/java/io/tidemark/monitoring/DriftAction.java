package io.tidemark.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.tidemark.BadRequestException;
import io.tidemark.action.BaseAction;
import io.tidemark.definitions.FeatureDefinition;
import io.tidemark.definitions.FeatureGroup;
import io.tidemark.offline.OfflineStore;
import io.tidemark.util.JobLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares a group's features between a baseline and a current {@link DriftWindow}: per feature the population
 * stability index (PSI) over common bins and a two-sample test (Kolmogorov-Smirnov for numbers and timestamps,
 * chi-square for strings and booleans). Two Spark jobs over both windows together (see {@link Profiler}); only
 * bin counts and quantiles reach the driver. The windows' rows come from {@link DriftWindowReader}, the numbers
 * from {@link DriftStatistics}.
 *
 * <pre>
 * DriftResult r = tidemark.drift("users").baseline(DriftWindow.parse("2026-01-01..2026-02-01"))
 *     .current(DriftWindow.parse("2026-02-01..2026-03-01")).execute();
 * </pre>
 */
public final class DriftAction extends BaseAction<DriftAction, DriftResult> {
  public static final double DEFAULT_PSI_THRESHOLD = 0.2;
  public static final double DEFAULT_ALPHA = 0.01;
  private static final String SIDE = "_tm_side";

  private final OfflineStore store;
  private final FeatureGroup group;
  private DriftWindow baseline;
  private DriftWindow current;
  private List<String> features = List.of();
  private double psiThreshold = DEFAULT_PSI_THRESHOLD;
  private double alpha = DEFAULT_ALPHA;

  public DriftAction(OfflineStore store, FeatureGroup group) {
    super(store.spark());
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

  @Override
  protected void check() {
    if (baseline == null || current == null) {
      throw new BadRequestException("drift needs a baseline and a current window (--baseline and --current)");
    }
  }

  @Override
  protected String name() {
    return "drift";
  }

  @Override
  protected String description() {
    return group.name() + ": " + baseline.describe() + " vs " + current.describe();
  }

  @Override
  protected DriftResult run(JobLabel label) {
    DriftWindowReader reader = new DriftWindowReader(store, group);
    List<FeatureDefinition> chosen = chooseFeatures(reader);
    DriftWindowReader.Side b = reader.rows(baseline, chosen);
    DriftWindowReader.Side c = reader.rows(current, chosen);
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
        edges.put(i, DriftStatistics.commonEdges(bs.get(i).quantiles(), cs.get(i).quantiles()));
      }
    }
    label.step("drift: " + group.name() + ": bin counts of " + chosen.size() + " features");
    Map<Integer, Map<String, long[]>> counts = Profiler.counts(both, inputs, edges, col(SIDE), 2,
        Profiler.TOP_VALUES);
    DriftStatistics statistics = new DriftStatistics(psiThreshold, alpha);
    List<DriftResult.FeatureDrift> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Map<String, long[]> c0 = counts.getOrDefault(i, Map.of());
      out.add(inputs.get(i).kind().numeric()
          ? statistics.numeric(inputs.get(i), bs.get(i), cs.get(i), edges.get(i), c0)
          : statistics.categorical(inputs.get(i), bs.get(i), cs.get(i), c0));
    }
    return new DriftResult(group.name(), b.describe(), c.describe(), bRows, cRows, psiThreshold, alpha, out);
  }

  private void requireRows(long n, String which, String describe) {
    if (n == 0) {
      throw new IllegalArgumentException("the " + which + " window " + describe + " has no rows of group '"
          + group.name() + "'; pick a window with data (groups describe " + group.name() + " shows its last event "
          + "and batches)");
    }
  }

  private List<FeatureDefinition> chooseFeatures(DriftWindowReader reader) {
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
          List<String> took = reader.featuresTaken(m);
          out.removeIf(f -> !took.contains(f.name()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new BadRequestException("group '" + group.name() + "' has no features to compare in these windows");
    }
    return out;
  }
}
