package io.tidemark.monitoring;

import java.util.List;
import java.util.Optional;

/**
 * A drift comparison of one group's features between a baseline and a current window.
 *
 * @param baseline what the baseline read (e.g. {@code 2026-01-01T00:00:00Z..2026-02-01T00:00:00Z (event_time)})
 * @param psiThreshold a feature drifts when its PSI is above this
 * @param alpha ... or when its two-sample test's p-value is below this
 */
public record DriftResult(String group, String baseline, String current, long baselineRows, long currentRows,
    double psiThreshold, double alpha, List<FeatureDrift> features) {

  public DriftResult {
    features = List.copyOf(features);
  }

  /** True when any feature crossed a threshold. */
  public boolean drifted() {
    return features.stream().anyMatch(FeatureDrift::drifted);
  }

  public List<FeatureDrift> drifting() {
    return features.stream().filter(FeatureDrift::drifted).toList();
  }

  /** {@code 2 of 4 features drifted (amount, seen)} or {@code no drift in 4 features}. */
  public String verdict() {
    return drifted() ? drifting().size() + " of " + features.size() + " features drifted (" + String.join(", ",
        drifting().stream().map(FeatureDrift::feature).toList()) + ")" : "no drift in " + features.size()
        + " features";
  }

  /** The summary lines: windows and thresholds, then one aligned row per feature. */
  public List<String> table() {
    List<String> out = new java.util.ArrayList<>();
    out.add("drift " + group + ": baseline " + baseline + ", " + baselineRows + " rows; current "
        + current + ", " + currentRows + " rows; drifts when PSI > " + DriftReport.num(psiThreshold)
        + " or p < " + DriftReport.num(alpha));
    List<String[]> rows = new java.util.ArrayList<>();
    rows.add(new String[] {"feature", "kind", "PSI", "test", "statistic", "p-value", "verdict"});
    for (DriftResult.FeatureDrift f : features) {
      rows.add(new String[] {f.feature(), f.kind().name().toLowerCase(java.util.Locale.ROOT), DriftReport.num(f.psi()), f.test(),
          f.statistic().map(DriftReport::num).orElse("-"), f.pValue().map(DriftReport::num).orElse("-"),
          f.verdict()});
    }
    int[] width = new int[7];
    rows.forEach(row -> {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    });
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append("  ").append(i < row.length - 1 ? String.format("%-" + width[i] + "s", row[i]) : row[i]);
      }
      out.add(line.toString().stripTrailing());
    }
    return out;
  }


  /**
   * One feature's comparison.
   *
   * @param test {@code KS} (two-sample Kolmogorov-Smirnov, numbers and timestamps) or {@code chi-square}
   * @param statistic the test's statistic, empty when a side has no value to test
   * @param bins the PSI bins' labels (numbers: the baseline's deciles; categories: the baseline's top values,
   *     then {@code (other)}); {@code (missing)} last when either side has missing values
   * @param ecdf numbers only: both empirical CDFs at the common edges the KS statistic was taken at
   */
  public record FeatureDrift(String feature, FeatureKind kind, long baselineMissing, long currentMissing,
      Optional<Double> baselineMean, Optional<Double> currentMean, double psi, String test,
      Optional<Double> statistic, Optional<Double> pValue, boolean psiCrossed, boolean testCrossed,
      List<String> bins, List<Long> baselineCounts, List<Long> currentCounts, List<EcdfPoint> ecdf) {
    public FeatureDrift {
      bins = List.copyOf(bins);
      baselineCounts = List.copyOf(baselineCounts);
      currentCounts = List.copyOf(currentCounts);
      ecdf = List.copyOf(ecdf);
    }

    public boolean drifted() {
      return psiCrossed || testCrossed;
    }

    /** {@code ok}, or what crossed: {@code DRIFT (PSI)}, {@code DRIFT (KS)}, {@code DRIFT (PSI, KS)}. */
    public String verdict() {
      if (!drifted()) {
        return "ok";
      }
      return "DRIFT (" + (psiCrossed ? "PSI" : "") + (psiCrossed && testCrossed ? ", " : "") + (testCrossed ? test
          : "") + ")";
    }
  }

  /** The fraction of each side's values at or below {@code x} (timestamps: epoch seconds). */
  public record EcdfPoint(double x, double baseline, double current) {}
}
