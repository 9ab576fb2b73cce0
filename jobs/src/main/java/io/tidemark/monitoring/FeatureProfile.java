package io.tidemark.monitoring;

import java.util.List;
import java.util.Optional;

/**
 * One feature's statistics over a set of rows (an ingest batch, a training set): counts, an approximate distinct
 * count, and for numbers and timestamps (as epoch seconds) min / max / mean, deciles and a 10-bin equal-width
 * histogram; for strings and booleans the most frequent values. Every figure is an aggregate Spark computed.
 *
 * @param count rows
 * @param missing rows without a value: null, or NaN for a Fractional
 * @param distinct approximate distinct values ({@code approx_count_distinct}, 5% relative error); empty for
 *     collections
 * @param deciles {@code percentile_approx} at 0, 0.1, ..., 1 (empty for non-numbers and when there is no value)
 * @param histogramEdges bin i holds values in (edges[i], edges[i+1]], the first bin also edges[0] (the min)
 * @param topValues up to {@link Profiler#TOP_VALUES} most frequent values, most frequent first (ties by value)
 */
public record FeatureProfile(String feature, FeatureKind kind, long count, long missing, Optional<Long> distinct,
    Optional<Double> min, Optional<Double> max, Optional<Double> mean, List<Double> deciles,
    List<Double> histogramEdges, List<Long> histogramCounts, List<ValueCount> topValues) {

  public FeatureProfile {
    deciles = List.copyOf(deciles);
    histogramEdges = List.copyOf(histogramEdges);
    histogramCounts = List.copyOf(histogramCounts);
    topValues = List.copyOf(topValues);
  }

  /** A value of a string or boolean feature and how many rows have it. */
  public record ValueCount(String value, long count) {}
}
