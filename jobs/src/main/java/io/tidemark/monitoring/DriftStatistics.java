package io.tidemark.monitoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * One feature's drift from the two windows' summaries and bin counts (what {@link DriftAction}'s Spark jobs
 * return): PSI over common bins, and a two-sample test, Kolmogorov-Smirnov for numbers and timestamps, chi-square
 * for strings and booleans. Runs on the driver; no Spark here.
 */
public final class DriftStatistics {
  /** The proportion an empty bin counts as in PSI, so that ln(q/p) stays finite. */
  public static final double EPSILON = 1e-4;
  public static final String MISSING = "(missing)";
  public static final String OTHER = "(other)";

  private final double psiThreshold;
  private final double alpha;

  /** A feature drifts when its PSI is above {@code psiThreshold} or its test's p-value below {@code alpha}. */
  DriftStatistics(double psiThreshold, double alpha) {
    this.psiThreshold = psiThreshold;
    this.alpha = alpha;
  }

  /** Both sides' percentiles, sorted and distinct: the points the ECDFs are compared at. */
  static double[] commonEdges(double[] a, double[] b) {
    TreeSet<Double> s = new TreeSet<>();
    Arrays.stream(a).forEach(s::add);
    Arrays.stream(b).forEach(s::add);
    return s.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * A number's or timestamp's drift.
   *
   * @param fine the common edges ({@link #commonEdges}) the counts were binned by
   * @param counts per fine bin (its index as text), the baseline's and the current's count
   */
  DriftResult.FeatureDrift numeric(Profiler.Input in, Profiler.Summary b, Profiler.Summary c,
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

  /** A string's or boolean's drift; {@code counts}: per top value, the baseline's and the current's count. */
  DriftResult.FeatureDrift categorical(Profiler.Input in, Profiler.Summary b, Profiler.Summary c,
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
