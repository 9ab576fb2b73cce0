package io.tidemark.bench;

import java.util.List;

/** Min and median of a benchmark's timed runs. */
final class Stats {
  private Stats() {}

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The values in seconds, two decimals: {@code [1.23, 4.56]}. */
  static String format(List<Double> values) {
    return values.stream().map(v -> String.format(java.util.Locale.ROOT, "%.2f", v))
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }
}
